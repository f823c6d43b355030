package customerimport

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func readAll(t *testing.T, text string) ([]Row, []*LineError) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	var errs []*LineError
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, errs
		}
		var le *LineError
		if errors.As(err, &le) {
			errs = append(errs, le)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func TestHeaderNeedsAnEmailColumn(t *testing.T) {
	for _, text := range []string{"", "First Name,Last Name\nAda,Lovelace\n", "E-mail\nada@example.com\n"} {
		if _, err := NewReader(strings.NewReader(text)); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
	if _, err := NewReader(strings.NewReader("First Name,Email\n")); err != nil {
		t.Errorf("a header with Email: %v", err)
	}
}

func TestRowsKeepTheirLineNumbersAcrossQuotedLineBreaksAndBadRows(t *testing.T) {
	text := "\ufeff EMAIL ,First Name,Tags,Phone,Company,Country\n" +
		"ada@example.com,\"Ada\nAugusta\",\"vip, vip ,wholesale\",'+16135550100,,\n" +
		"bad\"quote@example.com,X,,,,\n" +
		"nul@example.com,N\x00L,,,Engines,CA\n" +
		"short@example.com\n" +
		"grace@example.com,Grace,,,,\n"
	rows, errs := readAll(t, text)
	if len(rows) != 3 || len(errs) != 2 {
		t.Fatalf("rows %+v, errors %v", rows, errs)
	}
	ada := rows[0]
	if ada.Line != 2 || ada.Email != "ada@example.com" || *ada.FirstName != "Ada Augusta" || ada.Phone != "+16135550100" ||
		strings.Join(ada.Tags, "|") != "vip|wholesale" || ada.Address != nil {
		t.Errorf("ada: %+v", ada)
	}
	if errs[0].Line != 4 || errs[1].Line != 6 {
		t.Errorf("errors on lines %d and %d, want 4 and 6: %v", errs[0].Line, errs[1].Line, errs)
	}
	nul := rows[1]
	if nul.Line != 5 || *nul.FirstName != "N\x00L" || nul.Address == nil || *nul.Address.Company != "Engines" || *nul.Address.FirstName != "N\x00L" {
		t.Errorf("nul row, kept for the import to refuse: %+v", nul)
	}
	if rows[2].Line != 7 || rows[2].Email != "grace@example.com" {
		t.Errorf("the row after the bad ones: %+v", rows[2])
	}
}

func TestAnEndlessRowStopsTheReadInsteadOfFillingMemory(t *testing.T) {
	text := "Email,Note\nada@example.com,fine\nbob@example.com,\"never closed" + strings.Repeat("x\n", MaxRowBytes) + "\n"
	rd, err := NewReader(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if row, err := rd.Next(); err != nil || row.Email != "ada@example.com" {
		t.Fatalf("first row: %+v %v", row, err)
	}
	_, err = rd.Next()
	var le *LineError
	if err == nil || errors.As(err, &le) || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("endless row: %v, want a read error that stops the import", err)
	}
}

// Only line breaks, tabs and spaces (a no-break or ideographic space too)
// inside a value become one space; any other control character or line
// separator (a vertical tab, a form feed, NEL, U+2028), in a tag or
// anywhere else, leaves the row out.
func TestARowWithAControlCharacterOrAnOverlongTagIsLeftOut(t *testing.T) {
	text := "Email,Tags\n" +
		"nul@example.com,\"vip\x00\"\n" +
		"esc@example.com,\"ok,\x1b[31mred\"\n" +
		"long@example.com," + strings.Repeat("x", 256) + "\n" +
		"vt@example.com,\"vip\vgold\"\n" +
		"ff@example.com,\"vip\fgold\"\n" +
		"nel@example.com,\"vip\u0085gold\"\n" +
		"ls@example.com,\"vip\u2028gold\"\n" +
		"ada@example.com,\"vip,  \t\r\n\u00a0wholesale\u3000\"\n"
	rows, errs := readAll(t, text)
	if len(rows) != 1 || rows[0].Email != "ada@example.com" || strings.Join(rows[0].Tags, "|") != "vip|wholesale" {
		t.Fatalf("rows %+v", rows)
	}
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("errors %v, want lines 2 to 8", errs)
	}
}

func TestOnlyPhonesAndZipsLoseTheirLeadingApostrophe(t *testing.T) {
	rows, errs := readAll(t, "Email,Phone,Default Address Company,Default Address Address1,Default Address Address2,"+
		"Default Address City,Default Address Zip,Default Address Phone\n"+
		"ada@example.com,'+31735550100,'t Winkeltje,'t Hoofd 1,'s Gravenstraat,'s-Hertogenbosch,'05211,'+31735550101\n")
	if len(errs) != 0 || len(rows) != 1 || rows[0].Address == nil {
		t.Fatalf("rows %+v errs %v", rows, errs)
	}
	row, a := rows[0], rows[0].Address
	if row.Phone != "+31735550100" || *a.Phone != "+31735550101" || *a.Zip != "05211" {
		t.Errorf("phone %q, address phone %q, zip %q: want the apostrophe dropped", row.Phone, *a.Phone, *a.Zip)
	}
	if *a.Company != "'t Winkeltje" || *a.Address1 != "'t Hoofd 1" || *a.Address2 != "'s Gravenstraat" || *a.City != "'s-Hertogenbosch" {
		t.Errorf("company %q, address1 %q, address2 %q, city %q: want the apostrophe kept", *a.Company, *a.Address1, *a.Address2, *a.City)
	}
}

func TestAByteOrderMarkBeforeAQuotedHeaderIsSkipped(t *testing.T) {
	rows, errs := readAll(t, "\ufeff\"Email\",\"First Name\"\n\"ada@example.com\",\"Ada\"\n")
	if len(errs) != 0 || len(rows) != 1 || rows[0].Email != "ada@example.com" || *rows[0].FirstName != "Ada" {
		t.Fatalf("rows %+v errs %v", rows, errs)
	}
}

func TestAColumnTheFileLacksIsNilAndAnEmptyCellIsNot(t *testing.T) {
	rows, errs := readAll(t, "Email,Last Name,Tags\nada@example.com,,\n")
	if len(errs) != 0 || len(rows) != 1 {
		t.Fatalf("rows %+v errs %v", rows, errs)
	}
	row := rows[0]
	if row.FirstName != nil || row.AcceptsMarketing != nil {
		t.Errorf("first name %v, marketing %v: want nil, the file has no such column", row.FirstName, row.AcceptsMarketing)
	}
	if row.LastName == nil || *row.LastName != "" || row.Tags == nil || len(row.Tags) != 0 {
		t.Errorf("last name %v, tags %#v: want empty, not nil", row.LastName, row.Tags)
	}
	rows, _ = readAll(t, "Email\nada@example.com\n")
	if len(rows) != 1 || rows[0].Tags != nil {
		t.Errorf("rows %+v: want no tags without a Tags column", rows)
	}
}

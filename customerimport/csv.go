package customerimport

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/address"
)

// Row is one customer of the export. A field whose column the file does
// not have is nil: the import leaves it as an existing customer has it.
type Row struct {
	// Line is the line of the file the row starts on; the header is line 1.
	Line      int
	Email     string
	FirstName *string
	LastName  *string
	// Phone is "" when the row has none, and then an existing customer's
	// is kept.
	Phone            string
	AcceptsMarketing *bool
	Tags             []string
	// Address is the default address, nil when the row has none.
	Address *address.Input
}

// LineError is a row that could not be read or imported; the rest of the
// file goes on.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// The columns read, by their names in Shopify's export, with the names an
// older export gave them. Every other column (Customer ID, Accepts SMS
// Marketing, Total Spent, Total Orders, Note, Tax Exempt) is ignored:
// storekeep keeps no such data.
const (
	colEmail     = "email"
	colFirstName = "first name"
	colLastName  = "last name"
	colPhone     = "phone"
	colMarketing = "accepts email marketing"
	colTags      = "tags"
	colCompany   = "default address company"
	colAddress1  = "default address address1"
	colAddress2  = "default address address2"
	colCity      = "default address city"
	colProvince  = "default address province code"
	colCountry   = "default address country code"
	colZip       = "default address zip"
	colAddrPhone = "default address phone"
)

var aliases = map[string]string{
	"accepts marketing": colMarketing,
	"company":           colCompany,
	"address1":          colAddress1,
	"address2":          colAddress2,
	"city":              colCity,
	"province code":     colProvince,
	"province":          colProvince,
	"country code":      colCountry,
	"country":           colCountry,
	"zip":               colZip,
}

// MaxRowBytes bounds one row of an export, quoted line breaks included: a
// longer row (a stray quote that never closes, say) stops the import
// rather than being read into memory whole.
const MaxRowBytes = 1 << 20

// Reader reads the rows of an export.
type Reader struct {
	csv     *csv.Reader
	src     *boundedReader
	columns map[string]int
	width   int
}

// boundedReader fails once more than MaxRowBytes have been read past the
// start of the row being read.
type boundedReader struct {
	r    io.Reader
	read int64
	// start is the offset the row being read starts at.
	start int64
	// err is set once a row has been too long.
	err error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err == nil && b.read-b.start > MaxRowBytes {
		b.err = fmt.Errorf("a row is longer than %d bytes (an unclosed quote?)", MaxRowBytes)
	}
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// ErrNoEmailColumn is the error of a file whose header has no Email column.
var ErrNoEmailColumn = errors.New("the header has no Email column: is this Shopify's customer export?")

// byteOrderMark is UTF-8's byte order mark, which spreadsheets write
// before a CSV file.
const byteOrderMark = "\ufeff"

// NewReader reads the header of the export r holds. A UTF-8 byte order
// mark before it is skipped; column names are matched without regard to
// case or surrounding spaces.
func NewReader(r io.Reader) (*Reader, error) {
	src := &boundedReader{r: r}
	buf := bufio.NewReader(src)
	if b, _ := buf.Peek(len(byteOrderMark)); string(b) == byteOrderMark {
		buf.Discard(len(byteOrderMark))
	}
	c := csv.NewReader(buf)
	c.FieldsPerRecord = -1
	c.ReuseRecord = true
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	rd := &Reader{csv: c, src: src, columns: map[string]int{}, width: len(header)}
	for i, name := range header {
		key := strings.ToLower(strings.TrimSpace(name))
		if canonical, ok := aliases[key]; ok {
			key = canonical
		}
		if _, seen := rd.columns[key]; !seen {
			rd.columns[key] = i
		}
	}
	if _, ok := rd.columns[colEmail]; !ok {
		return nil, ErrNoEmailColumn
	}
	return rd, nil
}

// Next returns the next row, or io.EOF after the last. A row that cannot
// be read is a *LineError, after which Next goes on with the next row.
// Line breaks, tabs and runs of spaces in a value become one space (an
// export may hold a multi-line address, and storekeep keeps every value
// on one line); a row with any other control character is left out.
func (rd *Reader) Next() (Row, error) {
	rd.src.start = rd.csv.InputOffset()
	record, err := rd.csv.Read()
	if errors.Is(err, io.EOF) {
		return Row{}, io.EOF
	}
	if rd.src.err != nil {
		return Row{}, rd.src.err
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Row{}, &LineError{Line: pe.StartLine, Err: pe.Err}
		}
		return Row{}, err
	}
	line, _ := rd.csv.FieldPos(0)
	if len(record) != rd.width {
		return Row{}, &LineError{Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(record), rd.width)}
	}
	get := func(col string) string {
		if i, ok := rd.columns[col]; ok {
			return oneLine(record[i])
		}
		return ""
	}
	given := func(col string) *string {
		if _, ok := rd.columns[col]; !ok {
			return nil
		}
		v := get(col)
		return &v
	}
	row := Row{
		Line:      line,
		Email:     get(colEmail),
		FirstName: given(colFirstName),
		LastName:  given(colLastName),
		Phone:     unquote(get(colPhone)),
	}
	if tags := given(colTags); tags != nil {
		if row.Tags, err = storekeep.ParseTags(*tags); err != nil {
			return Row{}, &LineError{Line: line, Err: err}
		}
	}
	if marketing := given(colMarketing); marketing != nil {
		accepts, err := yes(*marketing)
		if err != nil {
			return Row{}, &LineError{Line: line, Err: err}
		}
		row.AcceptsMarketing = &accepts
	}
	in := address.Input{}
	any := false
	for _, f := range []struct {
		dst    **string
		col    string
		quoted bool
	}{
		{&in.Company, colCompany, false}, {&in.Address1, colAddress1, false}, {&in.Address2, colAddress2, false},
		{&in.City, colCity, false}, {&in.Province, colProvince, false}, {&in.Country, colCountry, false},
		{&in.Zip, colZip, true}, {&in.Phone, colAddrPhone, true},
	} {
		v := get(f.col)
		if f.quoted {
			v = unquote(v)
		}
		if v != "" {
			*f.dst, any = &v, true
		}
	}
	if any {
		in.FirstName, in.LastName = row.FirstName, row.LastName
		row.Address = &in
	}
	return row, nil
}

// oneLine turns every run of spaces (Unicode's, such as a no-break
// space), tabs and line breaks (CR, LF) in v into one space and trims it.
// Other control characters and the line and paragraph separators stay,
// for the row's checks to refuse.
func oneLine(v string) string {
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool {
		return r == '\t' || r == '\r' || r == '\n' || unicode.IsSpace(r) && !unicode.IsControl(r) && r != '\u2028' && r != '\u2029'
	}), " ")
}

// unquote drops the apostrophe Shopify puts before phone numbers and zip
// codes so that spreadsheets keep them as text (and a zip code's leading
// zeros). Other values keep theirs: 's-Hertogenbosch is a city.
func unquote(s string) string { return strings.TrimPrefix(s, "'") }

func yes(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true", "1":
		return true, nil
	case "no", "false", "0", "":
		return false, nil
	}
	//lint:ignore ST1005 the error names the CSV column, as the file spells it
	return false, fmt.Errorf("Accepts Email Marketing is %q, not yes or no", s)
}

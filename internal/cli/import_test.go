package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

// shopifyHeader is the header of Shopify's customer export.
const shopifyHeader = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company," +
	"Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code," +
	"Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing," +
	"Total Spent,Total Orders,Note,Tax Exempt,Tags\n"

// exportFixture has good rows and every kind of bad one, with the byte
// order mark spreadsheets write.
var exportFixture = "\ufeff" + shopifyHeader +
	"'7001,Ada,Lovelace,ada@example.com,yes,Engines,150 Elgin St,\"Suite 8,\nBack door\",Ottawa,ON,CA,K2P 1L4,'+16135550100,'613-555-0199,no,12.50,2,\"note\nwith lines\",no,\"vip, wholesale\"\n" +
	"'7002,Grace,Hopper,grace@example.com,no,,1 Main St,,Arlington,VA,US,22201,,,no,0.00,0,,no,\n" +
	"'7003,Bad,Country,bad-country@example.com,no,,1 Main St,,Nowhere,,XX,00000,,,no,0.00,0,,no,\n" +
	"'7004,Ada,Again,ADA@example.com,no,,,,,,,,,,no,0.00,0,,no,\n" +
	"'7005,Nul\x00Byte,Smith,nul@example.com,no,,,,,,,,,,no,0.00,0,,no,\n" +
	"'7006,No,Email,,no,,,,,,,,,,no,0.00,0,,no,\n" +
	"'7007,Short,Row,short@example.com\n" +
	"'7008,Wrong,Province,province@example.com,no,,1 Main St,,Toronto,ZZ,CA,M5V 1J1,,,no,0.00,0,,no,\n" +
	"'7009,Plain,Customer,plain@example.com,maybe,,,,,,,,,,no,0.00,0,,no,\n" +
	"'7010,Linus,Tor,linus@example.com,no,,,,,,,,,,no,0.00,0,,no,\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func importEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "shop.example"); code != 0 {
		t.Fatalf("shop create: %s", errOut)
	}
	return env, db
}

func TestCustomerImportReadsShopifysExportAndReportsBadRowsByLine(t *testing.T) {
	env, db := importEnv(t)
	file := writeFile(t, "customers_export.csv", exportFixture)
	code, out, errOut := runCLI(t, env, "customer", "import", "--shop", "shop.example", file)
	if code != 1 || !strings.Contains(out, "10 rows") || !strings.Contains(out, "3 created, 0 updated, 0 unchanged, 7 left out") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{
		"line 6: INVALID on address.country",
		"line 7: the email address of line 2 again",
		"line 8: INVALID on firstName",
		"line 9: BLANK on email",
		"line 10: 4 fields, the header has 20",
		"line 11: INVALID on address.province",
		`line 12: Accepts Email Marketing is "maybe"`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	s, shop := openShop(t, db, "shop.example")
	ctx := context.Background()
	ada, err := s.CustomerByEmail(ctx, shop.ID, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ada.State != storekeep.CustomerInvited || ada.PasswordHash != "" || ada.FirstName != "Ada" || !ada.AcceptsMarketing ||
		ada.Phone != "+16135550199" || strings.Join(ada.Tags, "|") != "vip|wholesale" {
		t.Errorf("ada: %+v", ada)
	}
	addrs, err := s.Addresses(ctx, shop.ID, ada.ID)
	if err != nil || len(addrs) != 1 {
		t.Fatalf("ada's addresses: %+v %v", addrs, err)
	}
	a := addrs[0]
	if !a.Default || a.CountryCode != "CA" || a.ProvinceCode != "ON" || a.Province != "Ontario" || a.Phone != "+16135550100" ||
		a.Company != "Engines" || a.FirstName != "Ada" {
		t.Errorf("ada's address: %+v", a)
	}
	if a.Address2 == "" || strings.ContainsAny(a.Address2, "\n") {
		t.Errorf("a quoted field with a line break: %q", a.Address2)
	}
	for _, email := range []string{"bad-country@example.com", "nul@example.com", "short@example.com", "province@example.com", "plain@example.com"} {
		if _, err := s.CustomerByEmail(ctx, shop.ID, email); err == nil {
			t.Errorf("%s was imported from a bad row", email)
		}
	}
	if pending, _, _ := s.OutboxStats(ctx, 1_000_000); pending != 0 {
		t.Errorf("%d mails queued without --invite", pending)
	}
}

func TestCustomerImportWithInviteQueuesOneInvitationPerNewCustomerOnce(t *testing.T) {
	env, db := importEnv(t)
	file := writeFile(t, "customers_export.csv", shopifyHeader+
		"'1,Ada,Lovelace,ada@example.com,yes,,,,,,,,,,no,0.00,0,,no,\n"+
		"'2,Grace,Hopper,grace@example.com,no,,1 Main St,,Arlington,Virginia,United States,22201,,,no,0.00,0,,no,\n")
	for run, want := range []string{"2 created, 0 updated, 0 unchanged, 0 left out; 2 invitations queued",
		"0 created, 0 updated, 2 unchanged, 0 left out; 0 invitations queued"} {
		code, out, errOut := runCLI(t, env, "customer", "import", "--shop", "shop.example", "--invite", "--invite-rate", "0.5", file)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("run %d: exit %d\n%s\n%s", run+1, code, out, errOut)
		}
	}
	s, _ := openShop(t, db, "shop.example")
	list, err := s.ListMail(context.Background(), storekeep.MailPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Job != storekeep.JobInvite || list[1].Job != storekeep.JobInvite {
		t.Fatalf("outbox after two runs: %+v", list)
	}
	if code, _, errOut := runCLI(t, env, "customer", "import", "--shop", "shop.example", "--invite-rate", "0", file); code == 0 || !strings.Contains(errOut, "--invite-rate") {
		t.Fatalf("--invite-rate 0: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "customer", "import", "--shop", "shop.example", writeFile(t, "x.csv", "Name,Phone\nAda,1\n")); code != 1 || !strings.Contains(errOut, "no Email column") {
		t.Fatalf("a file without Email: %d %s", code, errOut)
	}
}

func TestCustomerImportRefusesAnInviteRateThatWouldNotPace(t *testing.T) {
	env, _ := importEnv(t)
	file := writeFile(t, "customers_export.csv", "Email\nada@example.com\n")
	for _, rate := range []string{"NaN", "Inf", "-Inf", "-1", "1e-12", "1e12"} {
		code, out, errOut := runCLI(t, env, "customer", "import", "--shop", "shop.example", "--invite", "--invite-rate", rate, file)
		if code == 0 || out != "" || !strings.Contains(errOut, "--invite-rate") {
			t.Errorf("--invite-rate %s: exit %d, stdout %q, stderr %q; want it refused before reading", rate, code, out, errOut)
		}
	}
}

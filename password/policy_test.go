package password

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/storekeep/storekeep"
)

func TestPolicyCheck(t *testing.T) {
	const (
		ws    = storekeep.CodePasswordStartsOrEndsWithWhitespace
		short = storekeep.CodeTooShort
		long  = storekeep.CodeTooLong
		inv   = storekeep.CodeInvalid
	)
	r := strings.Repeat
	cases := []struct {
		name string
		pw   string
		want storekeep.Code
	}{
		{"empty", "", short},
		{"4 runes", "xq7z", short},
		{"5 runes", "xq7zk", ""},
		{"4 runes, 8 bytes", "żółć", short},
		{"5 runes, 10 bytes", "żółćź", ""},
		{"5 runes, 15 bytes", "日本語パス", ""},
		{"40 runes", r("xq7zk", 8), ""},
		{"41 runes", r("xq7zk", 8) + "k", long},
		{"40 runes, 80 bytes", r("ż", 40), ""},
		{"41 runes, 82 bytes", r("ż", 41), long},
		{"3 runes, 5 after NFKC", "ﬁﬁx", short},
		{"1 rune, 18 after NFKC", "\ufdfa", short},
		{"5 runes, 3 after NFKC", "e\u0301e\u0301e", short},
		{"21 runes, 42 after NFKC", r("ﬁ", 21), ""},
		{"41 runes, 82 after NFKC", r("ﬁ", 41), long},
		{"leading space", " xq7zk", ws},
		{"trailing space", "xq7zk ", ws},
		{"leading tab", "\txq7zk", ws},
		{"trailing newline", "xq7zk\n", ws},
		{"leading no-break space", "\u00a0xq7zk", ws},
		{"trailing ideographic space", "xq7zk\u3000", ws},
		{"inner space", "xq7 zk", ""},
		{"only spaces", "   ", ws},
		{"whitespace before too short", " ab", ws},
		{"whitespace before too long", r("x", 41) + " ", ws},
		{"common", "password", inv},
		{"common, mixed case", "PassWord1", inv},
		{"common, full-width", "ｑｗｅｒｔｙ", inv},
		{"common but too short", "1234", short},
		{"uncommon", "z9q!w-staple", ""},
	}
	field := []string{"input", "password"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := DefaultPolicy().Check(c.pw, field)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", c.pw, err)
				}
				return
			}
			var e *storekeep.Error
			if !errors.As(err, &e) || e.Code != c.want || !slices.Equal(e.Field, field) {
				t.Fatalf("Check(%q) = %v, want %s on %v", c.pw, err, c.want, field)
			}
			if want := messages[c.want]; e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
		})
	}
}

// A password of 256 KiB (a request body's worth) of U+FDFA, which NFKC
// turns into 18 characters each, is refused as too long by its length as
// typed, before anything is normalised: otherwise every field of a
// customerCreate that refuses it, throttled or not, makes 2.8 MB of text.
func TestCheckRefusesALongPasswordBeforeNormalizingIt(t *testing.T) {
	pw := strings.Repeat("\ufdfa", 256<<10/3)
	field := []string{"input", "password"}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := DefaultPolicy().Check(pw, field)
	runtime.ReadMemStats(&after)
	if storekeep.ErrorCode(err) != storekeep.CodeTooLong {
		t.Fatalf("Check = %v, want TOO_LONG", err)
	}
	if made := after.TotalAlloc - before.TotalAlloc; made > 64<<10 {
		t.Fatalf("Check allocated %d bytes for a password it refuses by its length", made)
	}
}

var messages = map[storekeep.Code]string{
	storekeep.CodePasswordStartsOrEndsWithWhitespace: "Password starts or ends with whitespace",
	storekeep.CodeTooShort:                           "Password is too short (minimum is 5 characters)",
	storekeep.CodeTooLong:                            "Password is too long (maximum is 40 characters)",
	storekeep.CodeInvalid:                            "Password is too common",
}

func TestPolicyWithoutCommonCheck(t *testing.T) {
	if err := (Policy{}).Check("password", []string{"password"}); err != nil {
		t.Fatalf("zero Policy rejected a common password: %v", err)
	}
	if err := (Policy{}).Check("pass", []string{"password"}); storekeep.ErrorCode(err) != storekeep.CodeTooShort {
		t.Fatalf("zero Policy: %v, want TOO_SHORT", err)
	}
}

func TestIsCommon(t *testing.T) {
	for _, pw := range []string{"123456", "password", "QWERTY", "iloveyou", "trustno1", "ｌｅｔｍｅｉｎ"} {
		if !isCommon(Normalize(pw)) {
			t.Errorf("IsCommon(%q) = false", pw)
		}
	}
	for _, pw := range []string{"", "z9q!w-staple", "correct horse battery staple"} {
		if isCommon(Normalize(pw)) {
			t.Errorf("IsCommon(%q) = true", pw)
		}
	}
}

func TestCommonListShape(t *testing.T) {
	if !strings.HasSuffix(commonList, "\n") {
		t.Fatal("common.txt lacks a final newline")
	}
	lines := strings.Split(strings.TrimSuffix(commonList, "\n"), "\n")
	if len(lines) != 46881 {
		t.Fatalf("common.txt has %d entries; COMMON_PASSWORDS.md and common.go say 46,881", len(lines))
	}
	seen := make(map[string]bool, len(lines))
	for i, pw := range lines {
		n := utf8.RuneCountInString(pw)
		switch {
		case n < MinLength || n > MaxLength:
			t.Errorf("line %d %q: %d characters", i+1, pw, n)
		case pw != strings.ToLower(pw) || pw != Normalize(pw):
			t.Errorf("line %d %q: not lower-case NFKC", i+1, pw)
		case pw != strings.TrimSpace(pw):
			t.Errorf("line %d %q: surrounding whitespace", i+1, pw)
		case seen[pw]:
			t.Errorf("line %d %q: duplicate", i+1, pw)
		}
		seen[pw] = true
	}
}

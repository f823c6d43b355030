package storekeep

import "testing"

func TestPlainLineRefusesControlsSeparatorsAndInvalidUTF8(t *testing.T) {
	for _, s := range []string{"", "Ada", "Zoë O'Brien-Łukasz", "李小龍", "👩\u200d💻", "emoji 🎉"} {
		if !PlainLine(s) {
			t.Errorf("PlainLine(%q) = false", s)
		}
	}
	for _, s := range []string{"a\x00b", "a\nb", "a\r", "\tAda", "a\x7f", "a\u0085b", "a\u2028b", "a\u2029", "\xff", "a\xc3\x28"} {
		if PlainLine(s) {
			t.Errorf("PlainLine(%q) = true", s)
		}
		err := CheckPlainLine(s, []string{"input", "firstName"}, "First name")
		if ErrorCode(err) != CodeInvalid {
			t.Errorf("CheckPlainLine(%q) = %v", s, err)
		}
	}
}

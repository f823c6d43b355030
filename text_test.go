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

func TestShownLineRefusesReorderingButKeepsMarksAndJoiners(t *testing.T) {
	for _, s := range []string{"Ada", "می\u200cخواهم", "👩\u200d💻", "Ada\u200e", "\u200fعلي", "\u061c١", "a\u00adb", "a\u200bb", "a\u2060b", "a\ufeffb",
		"🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"} {
		if !ShownLine(s) {
			t.Errorf("ShownLine(%q) = false", s)
		}
	}
	for _, r := range []rune{0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x206a, 0x206f, 0xfff9, 0xfffb} {
		s := "Ada" + string(r) + "gpj.exe"
		if ShownLine(s) || !PlainLine(s) {
			t.Errorf("ShownLine(%q) = true or PlainLine false", s)
		}
		if err := CheckShownLine(s, []string{"input", "lastName"}, "Last name"); ErrorCode(err) != CodeInvalid {
			t.Errorf("CheckShownLine(%q) = %v", s, err)
		}
		if got := OneLine(s); got != "Adagpj.exe" {
			t.Errorf("OneLine(%q) = %q", s, got)
		}
	}
	if ShownLine("a\nb") || ShownLine("\xff") {
		t.Error("ShownLine accepts what PlainLine refuses")
	}
}

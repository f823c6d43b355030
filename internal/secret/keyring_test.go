package secret

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func mustKeyring(t *testing.T, keys ...[]byte) *Keyring {
	t.Helper()
	k, err := New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestTokensAreRandomURLSafeAnd32Bytes(t *testing.T) {
	k := mustKeyring(t, key(1))
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok, err := k.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != TokenBytes {
			t.Fatalf("token %q: %d bytes, %v", tok, len(raw), err)
		}
		if seen[tok] {
			t.Fatalf("token repeated: %q", tok)
		}
		seen[tok] = true
	}
}

func TestRotatedKeysStillVerifyButNewestSigns(t *testing.T) {
	old := mustKeyring(t, key(1))
	rotated := mustKeyring(t, key(2), key(1))
	h := old.Hash("tok")
	if !rotated.Matches("tok", h) {
		t.Fatal("hash under an older key no longer matches")
	}
	if bytes.Equal(rotated.Hash("tok"), h) {
		t.Fatal("newest key does not sign")
	}
	hs := rotated.Hashes("tok")
	if len(hs) != 2 || !bytes.Equal(hs[1], h) || !bytes.Equal(hs[0], rotated.Hash("tok")) {
		t.Fatal("Hashes are not newest first")
	}
	if rotated.Matches("other", h) || mustKeyring(t, key(3)).Matches("tok", h) {
		t.Fatal("matched a wrong token or an unknown key")
	}
}

func TestSealOpensUnderAnyKeyAndHidesPlaintext(t *testing.T) {
	old := mustKeyring(t, key(1))
	sealed, err := old.Seal([]byte("https://shop.example/account/reset/1/secret-token"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("secret-token")) {
		t.Fatal("sealed value contains the plaintext")
	}
	plain, err := mustKeyring(t, key(2), key(1)).Open(sealed)
	if err != nil || !strings.HasSuffix(string(plain), "secret-token") {
		t.Fatalf("open after rotation: %q, %v", plain, err)
	}
	if _, err := mustKeyring(t, key(3)).Open(sealed); err != ErrUnsealable {
		t.Fatalf("open with unknown key: %v", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := old.Open(sealed); err != ErrUnsealable {
		t.Fatal("tampered value opened")
	}
}

func TestParseKeysAcceptsBase64Variants(t *testing.T) {
	std := base64.StdEncoding.EncodeToString(key(0xfb))
	url := base64.RawURLEncoding.EncodeToString(key(0xfb))
	keys, err := ParseKeys(std + " , " + url)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], keys[1]) {
		t.Fatalf("%v %v", keys, err)
	}
	if _, err := ParseKeys(" , "); err == nil {
		t.Fatal("empty list accepted")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestCheckValuesTellKeysApartAndAnyKeyOfTheRingMatches(t *testing.T) {
	old, rotated, other := mustKeyring(t, key(1)), mustKeyring(t, key(2), key(1)), mustKeyring(t, key(3))
	if !bytes.Equal(old.Check(), mustKeyring(t, key(1)).Check()) {
		t.Fatal("one key gave two check values")
	}
	if bytes.Equal(old.Check(), other.Check()) || bytes.Contains(old.Check(), key(1)) {
		t.Fatal("check values do not tell keys apart, or show the key")
	}
	if !rotated.HasCheck(old.Check()) || !rotated.HasCheck(rotated.Check()) {
		t.Fatal("a rotated ring does not recognise the check of each of its keys")
	}
	if other.HasCheck(old.Check()) || old.HasCheck(rotated.Check()) {
		t.Fatal("a ring recognises the check of a key it lacks")
	}
}

func TestCurrentTellsWhatTheNewestKeySealed(t *testing.T) {
	old := mustKeyring(t, key(1))
	rotated := mustKeyring(t, key(2), key(1))
	byOld, err := old.Seal([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	byNew, err := rotated.Seal([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		sealed []byte
		want   bool
	}{
		{"sealed by the newest key", byNew, true},
		{"sealed by an older key", byOld, false},
		{"shorter than a nonce", byNew[:5], false},
		{"tampered", append(bytes.Clone(byNew[:len(byNew)-1]), byNew[len(byNew)-1]^1), false},
	} {
		if got := rotated.Current(c.sealed); got != c.want {
			t.Errorf("%s: Current = %v, want %v", c.name, got, c.want)
		}
	}
}

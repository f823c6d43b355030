package password

import (
	"context"
	"errors"
	"testing"
)

func TestParseRejectsMalformedAndHostileHashes(t *testing.T) {
	const salt, key = "c29tZXNhbHRzYWx0", "9EqJs/zWdR9j605Y1oeOA+O7SEL9ejdPq0wnJwl5o2c"
	good := "$argon2id$v=19$m=8192,t=1,p=1$" + salt + "$" + key
	if _, err := parsePHC(good); err != nil {
		t.Fatalf("control hash refused: %v", err)
	}
	bad := map[string]string{
		"empty":            "",
		"not phc":          "hunter2",
		"argon2i":          "$argon2i$v=19$m=8192,t=1,p=1$" + salt + "$" + key,
		"bcrypt":           "$2b$10$abcdefghijklmnopqrstuu5zaoC5e1BGo4x6KXaEtjoiCsqKvEb1K",
		"old version":      "$argon2id$v=16$m=8192,t=1,p=1$" + salt + "$" + key,
		"no version":       "$argon2id$m=8192,t=1,p=1$" + salt + "$" + key,
		"params reordered": "$argon2id$v=19$t=1,m=8192,p=1$" + salt + "$" + key,
		"extra param":      "$argon2id$v=19$m=8192,t=1,p=1,k=2$" + salt + "$" + key,
		"signed param":     "$argon2id$v=19$m=+8192,t=1,p=1$" + salt + "$" + key,
		"empty param":      "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key,
		"memory 4 GiB":     "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"memory 2^32":      "$argon2id$v=19$m=4294967296,t=1,p=1$" + salt + "$" + key,
		"memory 1 GiB+1":   "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + key,
		"memory < 8p":      "$argon2id$v=19$m=31,t=1,p=4$" + salt + "$" + key,
		"zero time":        "$argon2id$v=19$m=8192,t=0,p=1$" + salt + "$" + key,
		"time 4 billion":   "$argon2id$v=19$m=8192,t=4000000000,p=1$" + salt + "$" + key,
		"time 17":          "$argon2id$v=19$m=8192,t=17,p=1$" + salt + "$" + key,
		"zero threads":     "$argon2id$v=19$m=8192,t=1,p=0$" + salt + "$" + key,
		"threads 17":       "$argon2id$v=19$m=8192,t=1,p=17$" + salt + "$" + key,
		"threads 256":      "$argon2id$v=19$m=8192,t=1,p=256$" + salt + "$" + key,
		"salt 4 bytes":     "$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$" + key,
		"salt 96 bytes":    "$argon2id$v=19$m=8192,t=1,p=1$" + salt + salt + salt + salt + salt + salt + salt + salt + "$" + key,
		"salt not base64":  "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRz!Wx0$" + key,
		"salt padded":      "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHQ=$" + key,
		"key 8 bytes":      "$argon2id$v=19$m=8192,t=1,p=1$" + salt + "$AAAAAAAAAAA",
		"key 1 MiB":        "$argon2id$v=19$m=8192,t=1,p=1$" + salt + "$" + string(make([]byte, 1<<20)),
		"trailing dollar":  good + "$",
		"no leading":       good[1:],
	}
	h := newHasher(t, 1, 0)
	fill(h)
	for name, enc := range bad {
		if _, err := parsePHC(enc); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: parse error %v, want ErrMalformedHash", name, err)
		}
		ok, err := h.Verify(context.Background(), "password", enc)
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: Verify = %v, %v; want false, ErrMalformedHash before any hashing", name, ok, err)
		}
		if !h.NeedsRehash(enc) {
			t.Errorf("%s: NeedsRehash false", name)
		}
	}
}

func TestParseAcceptsWeakImportedParams(t *testing.T) {
	// Made by the reference implementation: echo -n password | argon2 somesalt -id -t 1 -m 5 -p 1 -l 32 -e
	const enc = "$argon2id$v=19$m=32,t=1,p=1$c29tZXNhbHQ$MBqPu0xZXFIeZ1LJialS1H4ezQY9ie689ohyiGdbVMg"
	h := newHasher(t, 1, 0)
	if !verify(t, h, "password", enc) {
		t.Fatal("a weak but well-formed hash must still verify")
	}
	if !h.NeedsRehash(enc) {
		t.Fatal("a weak hash must need a rehash")
	}
}

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		p  Params
		ok bool
	}{
		{DefaultParams, true},
		{Params{Memory: MinMemory, Time: 1, Threads: 1}, true},
		{Params{Memory: MaxMemory, Time: MaxTime, Threads: MaxThreads}, true},
		{Params{Memory: MinMemory - 1, Time: 1, Threads: 1}, false},
		{Params{Memory: MaxMemory + 1, Time: 1, Threads: 1}, false},
		{Params{Memory: MinMemory, Time: 0, Threads: 1}, false},
		{Params{Memory: MinMemory, Time: MaxTime + 1, Threads: 1}, false},
		{Params{Memory: MinMemory, Time: 1, Threads: 0}, false},
		{Params{Memory: MinMemory, Time: 1, Threads: MaxThreads + 1}, false},
		{Params{}, false},
	}
	for _, c := range cases {
		if err := c.p.Validate(); (err == nil) != c.ok {
			t.Errorf("%v.Validate() = %v, want ok=%v", c.p, err, c.ok)
		}
	}
}

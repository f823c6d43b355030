package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestCommittedFileIsCurrent fails when schema/enums.graphqls was
// edited by hand or testdata/storefront.schema.json changed without
// go generate ./internal/graph/...
func TestCommittedFileIsCurrent(t *testing.T) {
	want, err := generate("../../../../testdata/storefront.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../enums.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("schema/enums.graphqls is stale: run go generate ./internal/graph/...")
	}
	for _, s := range []string{"enum CountryCode {\n  AC\n", "  FR\n", "enum LanguageCode {\n", "  PT_BR\n", "  ZH_CN\n"} {
		if !strings.Contains(string(want), s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func TestMissingEnumIsAnError(t *testing.T) {
	path := t.TempDir() + "/schema.json"
	if err := os.WriteFile(path, []byte(`{"__schema":{"types":[{"kind":"ENUM","name":"CountryCode","enumValues":[{"name":"FR"}]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := generate(path); err == nil || !strings.Contains(err.Error(), "LanguageCode") {
		t.Errorf("err = %v, want one naming LanguageCode", err)
	}
}

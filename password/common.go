package password

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// commonList is common.txt: 46,881 passwords, one per line, lower-cased,
// NFKC, 5 to 40 characters, deduplicated, most frequent first. It is the
// password frequency list of the npm package @zxcvbn-ts/language-common
// 4.1.3 (MIT licence; drawn from Mark Burnett's ten million password
// corpus), less its 2,352 entries shorter than 5 characters. See
// COMMON_PASSWORDS.md.
//
//go:embed common.txt
var commonList string

var commonSorted = sync.OnceValue(func() []string {
	list := strings.Split(strings.TrimSuffix(commonList, "\n"), "\n")
	slices.Sort(list)
	return list
})

// isCommon reports whether normal, an NFKC-normalised password, is on the
// shipped common-password list once lower-cased.
func isCommon(normal string) bool {
	_, found := slices.BinarySearch(commonSorted(), strings.ToLower(normal))
	return found
}

package storekeep

import (
	"fmt"
	"slices"
	"strings"
)

// MaxTags is how many tags a customer may be given at once; each tag is
// one ShownLine of at most MaxNameLength bytes.
const MaxTags = 250

// ParseTags splits a comma-separated list of tags, as Shopify writes them
// (a Multipass token's tag_string, an export's Tags column), dropping
// blanks and repeats. It refuses a tag that is not one ShownLine of at
// most MaxNameLength bytes, and more than MaxTags tags.
func ParseTags(s string) ([]string, error) {
	list := []string{}
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "" || slices.Contains(list, t):
			continue
		case !ShownLine(t):
			return nil, NewError(CodeInvalid, nil, "A tag must be valid UTF-8 on one line, without control characters")
		case len(t) > MaxNameLength:
			return nil, NewError(CodeTooLong, nil, fmt.Sprintf("A tag is too long (maximum is %d bytes)", MaxNameLength))
		case len(list) == MaxTags:
			return nil, NewError(CodeTooLong, nil, fmt.Sprintf("There are too many tags (maximum is %d)", MaxTags))
		}
		list = append(list, t)
	}
	return list, nil
}

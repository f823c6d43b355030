package storekeep

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseTagsDropsBlanksAndRepeatsAndRefusesBadOrTooManyTags(t *testing.T) {
	list, err := ParseTags(" vip, wholesale,vip,, ")
	if err != nil || len(list) != 2 || list[0] != "vip" || list[1] != "wholesale" {
		t.Fatalf("ParseTags: %q %v", list, err)
	}
	if list, err := ParseTags(""); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("no tags: %#v %v, want an empty list", list, err)
	}
	many := strings.Repeat("t,", MaxTags)
	if list, err := ParseTags(many); err != nil || len(list) != 1 {
		t.Fatalf("%d repeats of one tag: %d tags, %v", MaxTags, len(list), err)
	}
	var distinct []string
	for i := range MaxTags + 1 {
		distinct = append(distinct, "t"+strconv.Itoa(i))
	}
	if _, err := ParseTags(strings.Join(distinct[:MaxTags], ",")); err != nil {
		t.Fatalf("%d tags: %v", MaxTags, err)
	}
	for _, s := range []string{"vip\x00", "ok,\x1b[31mred", "a\u2028b", "\xff", strings.Repeat("x", MaxNameLength+1), strings.Join(distinct, ",")} {
		if _, err := ParseTags(s); err == nil || ErrorCode(err) == CodeInternal {
			t.Errorf("ParseTags(%.40q) = %v, want a user error", s, err)
		}
	}
}

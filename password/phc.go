package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMalformedHash is returned (wrapped) for a stored hash that is not an
// argon2id PHC string storekeep accepts, including one whose parameters lie
// outside the bounds.
var ErrMalformedHash = errors.New("password: malformed hash")

type phc struct {
	params Params
	salt   []byte
	key    []byte
}

var b64 = base64.RawStdEncoding

func (h phc) String() string {
	return "$argon2id$v=19$" + h.params.String() + "$" + b64.EncodeToString(h.salt) + "$" + b64.EncodeToString(h.key)
}

func parsePHC(s string) (phc, error) {
	fail := func(format string, a ...any) (phc, error) {
		return phc{}, fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, a...))
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want $argon2id$v=19$m=M,t=T,p=P$salt$key")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm %q, want argon2id", parts[1])
	}
	if parts[2] != "v=19" {
		return fail("version %q, want v=19", parts[2])
	}
	var h phc
	var err error
	if h.params, err = parseParams(parts[3]); err != nil {
		return fail("%v", err)
	}
	if err := h.params.storable(); err != nil {
		return fail("%v", err)
	}
	if h.salt, err = decode(parts[4], minSaltLen, maxSaltLen); err != nil {
		return fail("salt: %v", err)
	}
	if h.key, err = decode(parts[5], minKeyLen, maxKeyLen); err != nil {
		return fail("key: %v", err)
	}
	return h, nil
}

func parseParams(s string) (Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("params %q, want m=M,t=T,p=P", s)
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return Params{}, fmt.Errorf("params %q, want m=M,t=T,p=P", s)
		}
		v, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			return Params{}, fmt.Errorf("param %s: %v", fields[i], err)
		}
		vals[i] = v
	}
	if vals[2] > 255 {
		return Params{}, fmt.Errorf("threads %d outside [1, %d]", vals[2], MaxThreads)
	}
	return Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}, nil
}

func decode(s string, minLen, maxLen int) ([]byte, error) {
	if n := b64.DecodedLen(len(s)); n < minLen || n > maxLen {
		return nil, fmt.Errorf("%d bytes, want %d to %d", n, minLen, maxLen)
	}
	return b64.Strict().DecodeString(s)
}

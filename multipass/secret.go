package multipass

import "errors"

// Bounds of a shop's Multipass secret, in characters. Shopify's are 32
// hexadecimal digits.
const (
	MinSecretLength = 16
	MaxSecretLength = 1024
)

// CheckSecret refuses a secret storekeep would not verify tokens with:
// shorter than MinSecretLength or longer than MaxSecretLength, or holding
// anything but printable ASCII without spaces.
func CheckSecret(secret string) error {
	if len(secret) < MinSecretLength || len(secret) > MaxSecretLength {
		return errors.New("a Multipass secret is 16 to 1024 characters, such as the 32 hexadecimal digits Shopify gives")
	}
	for _, c := range []byte(secret) {
		if c <= ' ' || c > '~' {
			return errors.New("a Multipass secret is printable ASCII without spaces")
		}
	}
	return nil
}

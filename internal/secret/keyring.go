// Package secret makes random tokens, recognises them by keyed hash and
// seals data at rest, under a ring of server keys of which the newest signs
// and every one verifies.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a server key in bytes.
const KeySize = 32

// TokenBytes is the entropy of every token storekeep issues.
const TokenBytes = 32

// Keyring holds server keys, newest first. It implements storekeep.Keyring
// and storekeep.Sealer.
type Keyring struct {
	hashKeys [][]byte
	aeads    []cipher.AEAD
}

// New returns a keyring over keys, newest first. Each key must be at least
// KeySize bytes; hashing and sealing use separate keys derived from it.
func New(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: no keys")
	}
	k := &Keyring{}
	for i, key := range keys {
		if len(key) < KeySize {
			return nil, fmt.Errorf("secret: key %d is %d bytes, want at least %d", i+1, len(key), KeySize)
		}
		k.hashKeys = append(k.hashKeys, derive(key, "storekeep token hash v1"))
		block, err := aes.NewCipher(derive(key, "storekeep seal v1"))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.aeads = append(k.aeads, aead)
	}
	return k, nil
}

// ParseKeys decodes a comma-separated list of base64 (standard or URL-safe,
// padded or not) keys, newest first.
func ParseKeys(list string) ([][]byte, error) {
	var keys [][]byte
	for _, field := range strings.Split(list, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		key, err := decodeBase64(field)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d is not base64: %w", len(keys)+1, err)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("secret: empty key list")
	}
	return keys, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// NewKey returns a fresh random server key.
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	_, err := rand.Read(key)
	return key, err
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// NewToken returns TokenBytes bytes from crypto/rand, base64url without
// padding (43 characters).
func (k *Keyring) NewToken() (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash returns HMAC-SHA-256 of token under the newest key.
func (k *Keyring) Hash(token string) []byte {
	return mac(k.hashKeys[0], token)
}

// Hashes returns token's HMAC under every key, newest first, for look-ups
// that must still accept tokens issued before a rotation.
func (k *Keyring) Hashes(token string) [][]byte {
	out := make([][]byte, len(k.hashKeys))
	for i, key := range k.hashKeys {
		out[i] = mac(key, token)
	}
	return out
}

// Matches reports in constant time whether stored is token's hash under
// any key.
func (k *Keyring) Matches(token string, stored []byte) bool {
	match := 0
	for _, key := range k.hashKeys {
		match |= boolToInt(hmac.Equal(mac(key, token), stored))
	}
	return match == 1
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mac(key []byte, token string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(token))
	return m.Sum(nil)
}

// Seal encrypts plaintext with AES-256-GCM under the newest key. The
// random nonce is prepended to the result.
func (k *Keyring) Seal(plaintext []byte) ([]byte, error) {
	aead := k.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plaintext, nil), nil
}

// ErrUnsealable is returned when no key opens a sealed value.
var ErrUnsealable = errors.New("secret: cannot open sealed value with any key")

// Open decrypts what Seal produced under any key of the ring.
func (k *Keyring) Open(sealed []byte) ([]byte, error) {
	for _, aead := range k.aeads {
		if plain, ok := open(aead, sealed); ok {
			return plain, nil
		}
	}
	return nil, ErrUnsealable
}

// Current reports whether the newest key opens sealed: false for a value
// sealed under an older key, which Seal should seal again before that key
// leaves the ring.
func (k *Keyring) Current(sealed []byte) bool {
	_, ok := open(k.aeads[0], sealed)
	return ok
}

// open decrypts sealed, its nonce first, under aead alone.
func open(aead cipher.AEAD, sealed []byte) ([]byte, bool) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, false
	}
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], nil)
	return plain, err == nil
}

// checkLabel is what a key's check value is the keyed hash of; no token
// can equal it, since tokens are unpadded base64url.
const checkLabel = "storekeep key check v1"

// Check is the newest key's check value: a keyed hash of a fixed label,
// kept in the database so that a node started with another key notices.
// It reveals nothing about the key.
func (k *Keyring) Check() []byte { return k.Hash(checkLabel) }

// HasCheck reports whether check is the check value of any key of the ring.
func (k *Keyring) HasCheck(check []byte) bool { return k.Matches(checkLabel, check) }

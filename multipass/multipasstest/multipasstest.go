// Package multipasstest makes Multipass tokens for tests: an issuer
// written from Shopify's description of Multipass, sharing nothing with
// package multipass, so that the tokens test the code rather than agree
// with it.
//
// The secret's SHA-256 gives an AES-128 key (its first 16 bytes) and an
// HMAC-SHA-256 key (its last 16 bytes); a token is URL-safe base64 of
// IV || AES-128-CBC(PKCS #7 padded JSON) || HMAC(IV || ciphertext).
package multipasstest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// Mint makes the token an issuer holding secret makes for data.
func Mint(t testing.TB, secret string, data any) string {
	t.Helper()
	js, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(Seal(t, secret, PKCS7(js)))
}

// PKCS7 pads b to whole AES blocks.
func PKCS7(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte{}, b...), bytes.Repeat([]byte{byte(n)}, n)...)
}

// Seal encrypts padded, whole blocks already, under a random IV and signs
// the result: the raw bytes of a token.
func Seal(t testing.TB, secret string, padded []byte) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(secret))
	block, err := aes.NewCipher(sum[:16])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, aes.BlockSize+len(padded))
	if _, err := rand.Read(out[:aes.BlockSize]); err != nil {
		t.Fatal(err)
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], padded)
	return Sign(secret, out)
}

// Sign appends the HMAC of body under secret's signing key.
func Sign(secret string, body []byte) []byte {
	sum := sha256.Sum256([]byte(secret))
	mac := hmac.New(sha256.New, sum[16:])
	mac.Write(body)
	return mac.Sum(body)
}

// Raw decodes a token Mint made.
func Raw(t testing.TB, token string) []byte {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Encode writes raw token bytes as Mint does: URL-safe base64, padded.
func Encode(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

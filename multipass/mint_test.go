package multipass_test

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

// The token maker of these tests, written from Shopify's description of
// Multipass and sharing nothing with the code under test: the secret's
// SHA-256 gives an AES-128 key (first 16 bytes) and an HMAC-SHA-256 key
// (last 16 bytes); the token is URL-safe base64 of
// IV || AES-128-CBC(PKCS #7 padded JSON) || HMAC(IV || ciphertext).

// mint makes the token an issuer holding secret makes for data.
func mint(t testing.TB, secret string, data any) string {
	t.Helper()
	js, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(seal(t, secret, pkcs7(js)))
}

// pkcs7 pads b to whole AES blocks.
func pkcs7(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte{}, b...), bytes.Repeat([]byte{byte(n)}, n)...)
}

// seal encrypts padded, whole blocks already, under a random IV and signs
// the result: the raw bytes of a token.
func seal(t testing.TB, secret string, padded []byte) []byte {
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
	return sign(secret, out)
}

// sign appends the HMAC of body under secret's signing key.
func sign(secret string, body []byte) []byte {
	sum := sha256.Sum256([]byte(secret))
	mac := hmac.New(sha256.New, sum[16:])
	mac.Write(body)
	return mac.Sum(body)
}

// raw decodes a token minted above.
func raw(t testing.TB, token string) []byte {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encode(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

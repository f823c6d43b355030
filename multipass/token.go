package multipass

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

// MaxTokenLength is the longest token storekeep reads, in characters:
// room for a customer with MaxAddresses addresses, and no more.
const MaxTokenLength = 16 << 10

// Reasons a token does not open. They are told to the operator through
// the audit trail, never to the client.
var (
	errTooLong   = errors.New("token longer than 16384 characters")
	errEncoding  = errors.New("token is not URL-safe base64")
	errShape     = errors.New("token is too short or not whole AES blocks")
	errSignature = errors.New("signature does not verify")
	errPadding   = errors.New("padding is not PKCS #7")
)

// Keys are the two keys a shop's Multipass secret gives: the first half
// of its SHA-256 encrypts (AES-128-CBC), the second half signs
// (HMAC-SHA-256).
type Keys struct {
	encryption []byte
	signature  []byte
}

// NewKeys derives the keys of secret.
func NewKeys(secret string) Keys {
	sum := sha256.Sum256([]byte(secret))
	return Keys{encryption: sum[:aes.BlockSize], signature: sum[aes.BlockSize:]}
}

// Open checks a token, URL-safe base64 (padded or not) of
// IV || ciphertext || HMAC-SHA-256(IV || ciphertext), and returns its
// plaintext and its signature. The signature is compared in constant
// time before anything is decrypted, so that a forged token learns
// nothing of the padding.
func (k Keys) Open(token string) (plaintext, signature []byte, err error) {
	if len(token) > MaxTokenLength {
		return nil, nil, errTooLong
	}
	raw, err := decode(token)
	if err != nil {
		return nil, nil, errEncoding
	}
	if len(raw) < 2*aes.BlockSize+sha256.Size || (len(raw)-sha256.Size)%aes.BlockSize != 0 {
		return nil, nil, errShape
	}
	body, signature := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	mac := hmac.New(sha256.New, k.signature)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), signature) {
		return nil, nil, errSignature
	}
	block, err := aes.NewCipher(k.encryption)
	if err != nil {
		return nil, nil, err
	}
	iv, ciphertext := body[:aes.BlockSize], body[aes.BlockSize:]
	plain := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ciphertext)
	if plaintext, err = unpad(plain); err != nil {
		return nil, nil, err
	}
	return plaintext, signature, nil
}

// decode reads URL-safe base64, with its padding or without.
func decode(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") {
		return base64.URLEncoding.Strict().DecodeString(s)
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// unpad strips PKCS #7 padding from b, whose length is a positive
// multiple of the block size, looking at the last block the same way
// whatever its bytes.
func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		inPadding := subtle.ConstantTimeLessOrEq(i, n)
		same := subtle.ConstantTimeByteEq(b[len(b)-i], byte(n))
		good &= ^inPadding&1 | same
	}
	if good != 1 {
		return nil, errPadding
	}
	return b[:len(b)-n], nil
}

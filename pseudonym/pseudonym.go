// Package pseudonym maps student identifiers to stable pseudonymous keys with
// a keyed hash (HMAC-SHA-256), so reports can show a student's row without
// showing who the student is, and the same student maps to the same key
// wherever the same secret key is used.
package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// KeyLength is the number of hex characters of a pseudonym (64 bits: for a
// cohort of a million students the chance that any two collide is about
// 3 in 100,000).
const KeyLength = 16

// MinKeyBytes is the shortest secret key CheckKey accepts: 128 bits, so
// that the pseudonyms cannot be recomputed by trying keys.
const MinKeyBytes = 16

// CheckKey reports an error for a secret key shorter than MinKeyBytes
// (an empty key is the caller's "unset" and is not checked here).
func CheckKey(key []byte) error {
	if len(key) > 0 && len(key) < MinKeyBytes {
		return fmt.Errorf("the pseudonym key is %d bytes; it needs at least %d (128 bits), e.g. the output of `openssl rand -hex 16`", len(key), MinKeyBytes)
	}
	return nil
}

// Mapper turns identifiers into pseudonyms under one secret key.
type Mapper struct {
	key []byte
}

// New returns a Mapper for the secret key. An empty key is allowed but gives
// pseudonyms that anyone can recompute from the identifiers; callers warn.
func New(key []byte) *Mapper {
	return &Mapper{key: append([]byte(nil), key...)}
}

// Pseudonym returns the pseudonym of id: the first KeyLength hex characters
// of HMAC-SHA-256(key, id).
func (m *Mapper) Pseudonym(id string) string {
	mac := hmac.New(sha256.New, m.key)
	mac.Write([]byte(id))
	sum := mac.Sum(nil)
	return hex.EncodeToString(sum[:KeyLength/2])
}

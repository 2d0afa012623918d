// Package pseudonym maps student identifiers to stable pseudonymous keys with
// a keyed hash (HMAC-SHA-256), so reports can show a student's row without
// showing who the student is, and the same student maps to the same key
// wherever the same secret key is used.
package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// KeyLength is the number of hex characters of a pseudonym (64 bits: for a
// cohort of a million students the chance that any two collide is about
// 3 in 100,000).
const KeyLength = 16

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

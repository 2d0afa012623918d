package pseudonym

import "testing"

func TestPseudonym(t *testing.T) {
	// Expected values computed with Python 3.11:
	// hmac.new(key, id, hashlib.sha256).hexdigest()[:16]
	cases := []struct{ key, id, want string }{
		{"secret", "11391", "48b40e21eca2c6d4"},
		{"secret", "28400", "e46cca9012af87ee"},
		{"other", "11391", "abc0f1f323c3c364"},
		{"", "11391", "a26bb7a5f3c0f144"},
	}
	for _, c := range cases {
		got := New([]byte(c.key)).Pseudonym(c.id)
		if got != c.want {
			t.Errorf("Pseudonym(key=%q, %q) = %q, want %q", c.key, c.id, got, c.want)
		}
	}
}

func TestMapperCopiesKey(t *testing.T) {
	key := []byte("secret")
	m := New(key)
	key[0] = 'X'
	if got := m.Pseudonym("11391"); got != "48b40e21eca2c6d4" {
		t.Errorf("changing the caller's key slice changed pseudonyms: got %q", got)
	}
}

func TestCheckKey(t *testing.T) {
	cases := []struct {
		key string
		ok  bool
	}{
		{"", true}, // unset: the caller warns instead
		{"abc", false},
		{"fifteen-bytes!!", false},
		{"sixteen-bytes!!!", true},
		{"0123456789abcdef0123456789abcdef", true},
	}
	for _, c := range cases {
		if err := CheckKey([]byte(c.key)); (err == nil) != c.ok {
			t.Errorf("CheckKey(%q) = %v, want ok %v", c.key, err, c.ok)
		}
	}
}

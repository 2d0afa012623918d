package events

// Sym is an interned string; 0 is the empty string (an absent value).
type Sym uint32

// Symbols interns strings (student ids, actions, resource ids and types,
// courses, user agents), so each distinct value is stored once however many
// events repeat it. The zero value is not ready: use NewSymbols.
type Symbols struct {
	index map[string]Sym
	names []string
}

// NewSymbols returns an empty table holding only the empty string (Sym 0).
func NewSymbols() *Symbols {
	return &Symbols{index: map[string]Sym{"": 0}, names: []string{""}}
}

// Intern returns the symbol of b, adding it when new. It does not retain b.
func (s *Symbols) Intern(b []byte) Sym {
	if v, ok := s.index[string(b)]; ok {
		return v
	}
	return s.add(string(b))
}

// InternString is Intern for a string.
func (s *Symbols) InternString(v string) Sym {
	if x, ok := s.index[v]; ok {
		return x
	}
	return s.add(v)
}

func (s *Symbols) add(v string) Sym {
	x := Sym(len(s.names))
	s.names = append(s.names, v)
	s.index[v] = x
	return x
}

// Lookup returns the symbol of v and whether it was interned.
func (s *Symbols) Lookup(v string) (Sym, bool) {
	x, ok := s.index[v]
	return x, ok
}

// Name returns the string of x ("" for 0 or an unknown symbol).
func (s *Symbols) Name(x Sym) string {
	if int(x) >= len(s.names) {
		return ""
	}
	return s.names[x]
}

// Len returns the number of symbols, the empty string included.
func (s *Symbols) Len() int { return len(s.names) }

package reports

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzXAPIActivityID: for any course and term, the activity id is an
// absolute IRI under the base whose last segments read back as exactly
// the course and the term (the empty ones left out), with no segment
// added or lost.
func FuzzXAPIActivityID(f *testing.F) {
	for _, s := range [][2]string{{"AAA", "2014J"}, {"", "T3"}, {"MATH/101", "2024 Fall"}, {"..", "."}, {"a?b#c", "50%"}, {"Économie", "été"}, {"%2F", "x\x00y"}} {
		f.Add(s[0], s[1])
	}
	const base = "https://lms.example.edu/courses"
	f.Fuzz(func(t *testing.T, course, term string) {
		id := XAPIActivityID(base+"/", course, term)
		if !absoluteIRI(id) || !strings.HasPrefix(id, base+"/") && id != base {
			t.Fatalf("XAPIActivityID(%q, %q) = %q: not an absolute IRI under %s", course, term, id, base)
		}
		u, err := url.Parse(id)
		if err != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q: %v, query %q, fragment %q", id, err, u.RawQuery, u.Fragment)
		}
		segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/courses"), "/")[1:]
		var back []string
		for _, seg := range segs {
			v, err := url.PathUnescape(seg)
			if err != nil {
				t.Fatalf("%q: segment %q: %v", id, seg, err)
			}
			back = append(back, v)
		}
		if want := nonEmpty(course, term); !slices.Equal(back, want) {
			t.Fatalf("%q reads back as %q, want %q", id, back, want)
		}
	})
}

// FuzzCheckXAPIURL: the checks never panic, and whatever they accept is an
// IRL by the statement checker's rules (the activity base without a query,
// and still one once an id is built on it).
func FuzzCheckXAPIURL(f *testing.F) {
	for _, s := range []string{"https://lms.example.edu", "http://x.edu:8080/a/", "urn:evalrun:pseudonym", "lms.example.edu", "https://a b", "https://x.edu/?q#f", "https://u:p@x.edu", "https://x.edu/ü", "HTTPS://X.EDU/%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckXAPIHomePage(s) == nil && !irl(s) {
			t.Fatalf("home page %q accepted, but it is not an IRL", s)
		}
		if CheckXAPIActivityBase(s) == nil {
			u, _ := url.Parse(s)
			if !irl(s) || u.RawQuery != "" || u.ForceQuery {
				t.Fatalf("activity base %q accepted, but it is not an IRL without query", s)
			}
			if id := XAPIActivityID(s, "AAA", "2014J"); !irl(id) {
				t.Fatalf("activity base %q accepted, but the id %q is not an IRL", s, id)
			}
		}
	})
}

package csvline

import (
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		line string
		want []string
		err  error
	}{
		{`a,b,c`, []string{"a", "b", "c"}, nil},
		{``, []string{""}, nil},
		{`,`, []string{"", ""}, nil},
		{`"AAA","2013J","11391"`, []string{"AAA", "2013J", "11391"}, nil},
		{`"a,b","c""d",""`, []string{"a,b", `c"d`, ""}, nil},
		{`x,"y"`, []string{"x", "y"}, nil},
		{`"a`, nil, ErrUnterminatedQuote},
		{`"a"x,b`, nil, ErrQuoteNotFollowed},
		{`a"b,c`, nil, ErrBareQuote},
	}
	for _, c := range cases {
		fields, _, err := Split([]byte(c.line), nil, nil)
		if !errors.Is(err, c.err) {
			t.Errorf("Split(%q) error %v, want %v", c.line, err, c.err)
			continue
		}
		if c.err != nil {
			continue
		}
		got := make([]string, len(fields))
		for i, f := range fields {
			got[i] = string(f)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, want %q", c.line, got, c.want)
		}
		// Agrees with encoding/csv on valid lines.
		rec, err := csv.NewReader(strings.NewReader(c.line + "\n")).Read()
		if err == nil && !reflect.DeepEqual(rec, c.want) {
			t.Errorf("encoding/csv reads %q as %q", c.line, rec)
		}
	}
}

func TestSplitEarlierFieldsStayValid(t *testing.T) {
	line := []byte(`"a""1","b""2","c""3"`)
	fields, _, err := Split(line, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(fields[0]) != `a"1` || string(fields[1]) != `b"2` || string(fields[2]) != `c"3` {
		t.Errorf("fields %q", fields)
	}
}

func TestParseInt(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-159", -159, true}, {"+42", 42, true}, {"123456789012345678", 123456789012345678, true},
		{"1234567890123456789", 0, false}, {"", 0, false}, {"-", 0, false}, {"1.5", 0, false}, {"12a", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseInt([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

package datasets

import (
	"github.com/evalrun/evalrun/internal/csvline"

	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOULADSplitLine(t *testing.T) {
	cases := []struct {
		line string
		want []string
		err  error
	}{
		{`"a","b"`, []string{"a", "b"}, nil},
		{`a,b,`, []string{"a", "b", ""}, nil},
		{`"a""b",c`, []string{`a"b`, "c"}, nil},
		{`"""",""`, []string{`"`, ""}, nil},
		{``, []string{""}, nil},
		{`"x,y",z`, []string{"x,y", "z"}, nil},
		{`"?","-12",""`, []string{"?", "-12", ""}, nil},
		{`"a""b","c""d"""`, []string{`a"b`, `c"d"`}, nil},
		{`"a`, nil, csvline.ErrUnterminatedQuote},
		{`"a"x,b`, nil, csvline.ErrQuoteNotFollowed},
		{`a"b,c`, nil, csvline.ErrBareQuote},
	}
	for i, tc := range cases {
		fields, _, err := csvline.Split([]byte(tc.line), nil, nil)
		if err != tc.err {
			t.Errorf("case %d %q: error %v, want %v", i, tc.line, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		got := make([]string, len(fields))
		for j, f := range fields {
			got[j] = string(f)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("case %d %q: %q, want %q", i, tc.line, got, tc.want)
		}
	}
}

func TestOULADParseNumbers(t *testing.T) {
	ints := []struct {
		in   string
		want int64
		ok   bool
	}{{"0", 0, true}, {"-25", -25, true}, {"+7", 7, true}, {"123456789012345678", 123456789012345678, true},
		{"", 0, false}, {"-", 0, false}, {"1.0", 0, false}, {"1e3", 0, false}, {" 1", 0, false}, {"1234567890123456789", 0, false}}
	for _, tc := range ints {
		got, ok := csvline.ParseInt([]byte(tc.in))
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("csvline.ParseInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	floats := []struct {
		in   string
		want float64
		ok   bool
	}{{"78", 78, true}, {"78.5", 78.5, true}, {"-0.25", -0.25, true}, {"1e2", 100, true},
		{"abc", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"", 0, false}}
	for _, tc := range floats {
		got, ok := ouladParseFloat([]byte(tc.in))
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ouladParseFloat(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestOULADScanFileChunks streams a 2.6 MB file (over two read chunks, so
// lines straddle chunk boundaries) with quoted and bare fields, escaped
// quotes, CRLF and LF endings, a BOM and no final line end; every record
// must equal encoding/csv's reading, and the hash the file's SHA-256.
func TestOULADScanFileChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf\"id\",\"text\",\"n\"\r\n")
	var want [][]string
	for i := 0; buf.Len() < 2*ouladChunkSize+600_000; i++ {
		text := strings.Repeat("x", rng.IntN(40))
		if rng.IntN(5) == 0 {
			text += `"q",` + strconv.Itoa(i)
		}
		n := strconv.Itoa(rng.IntN(1000) - 500)
		want = append(want, []string{strconv.Itoa(i), text, n})
		quote := rng.IntN(2) == 0 || strings.ContainsAny(text, `",`)
		if quote {
			buf.WriteString(`"` + strconv.Itoa(i) + `","` + strings.ReplaceAll(text, `"`, `""`) + `","` + n + `"`)
		} else {
			buf.WriteString(strconv.Itoa(i) + "," + text + "," + n)
		}
		if rng.IntN(2) == 0 {
			buf.WriteString("\r\n")
		} else {
			buf.WriteString("\n")
		}
	}
	data := bytes.TrimRight(buf.Bytes(), "\r\n")
	// Cross-check the expectation with encoding/csv.
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	ref, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(ref)-1 != len(want) {
		t.Fatalf("encoding/csv read %d rows, generated %d", len(ref)-1, len(want))
	}
	fsys := fstest.MapFS{"f.csv": &fstest.MapFile{Data: data}}
	row := 0
	info, err := ouladScanFile(fsys, "f.csv", []string{"n", "id", "text"}, ouladNewBuffers(), nil, func(line int, rec [][]byte) error {
		w := ref[row+1]
		if line != row+2 || string(rec[0]) != w[2] || string(rec[1]) != w[0] || string(rec[2]) != w[1] {
			t.Fatalf("line %d: got %q, want n/id/text of %q", line, rec, w)
		}
		row++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if info.Rows != len(want) || row != len(want) || info.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("rows %d (called %d), sha %s; want %d rows, sha %x", info.Rows, row, info.SHA256, len(want), sum)
	}
}

// TestOULADScanFileStopsOnError: an error from the row function ends the
// scan with that error; ouladScanFile waits for its reading goroutine, so a
// goroutine left blocked would hang this test. A later scan still works.
func TestOULADScanFileStopsOnError(t *testing.T) {
	data := bytes.Repeat([]byte("\"1\",\"2\"\n"), 400_000) // 3.2 MB: several chunks
	data = append([]byte("a,b\n"), data...)
	fsys := fstest.MapFS{"f.csv": &fstest.MapFile{Data: data}}
	free := ouladNewBuffers()
	stop := strconv.ErrSyntax
	_, err := ouladScanFile(fsys, "f.csv", []string{"a"}, free, nil, func(line int, rec [][]byte) error {
		if line == 10 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("error %v, want %v", err, stop)
	}
	info, err := ouladScanFile(fstest.MapFS{"g.csv": &fstest.MapFile{Data: []byte("a\n1\n")}}, "g.csv", []string{"a"}, ouladNewBuffers(), nil, func(int, [][]byte) error { return nil })
	if err != nil || info.Rows != 1 {
		t.Errorf("second scan: %v rows %d", err, info.Rows)
	}
}

func TestOULADParseVLELine(t *testing.T) {
	cases := []struct {
		line      string
		mod, pres string
		ints      [4]int64
		ok        bool
	}{
		{`"AAA","2013J","28400","546652","-10","4"`, "AAA", "2013J", [4]int64{28400, 546652, -10, 4}, true},
		{`AAA,2013J,28400,546652,0,1`, "AAA", "2013J", [4]int64{28400, 546652, 0, 1}, true},
		{`"AAA",2013J,"1",2,"-3",4`, "AAA", "2013J", [4]int64{1, 2, -3, 4}, true},
		{`"AAA","2013J","999999999","1","1","1"`, "AAA", "2013J", [4]int64{999999999, 1, 1, 1}, true},
		// Everything else goes to the general parser.
		{`"A""A","2013J","1","2","3","4"`, "", "", [4]int64{}, false},    // escaped quote
		{`"AAA","2013J","1","2","3"`, "", "", [4]int64{}, false},         // 5 fields
		{`"AAA","2013J","1","2","3","4","5"`, "", "", [4]int64{}, false}, // 7 fields
		{`"AAA","2013J","1","2","3","4`, "", "", [4]int64{}, false},      // unterminated
		{`"AAA","2013J","","2","3","4"`, "", "", [4]int64{}, false},      // empty id
		{`"AAA","2013J","1","2","x","4"`, "", "", [4]int64{}, false},     // bad date
		{`"AAA","2013J","1","2","3","-4"`, "", "", [4]int64{}, false},    // negative clicks
		{`"AAA","2013J","-1","2","3","4"`, "", "", [4]int64{}, false},    // negative id
		{`"AAA","2013J","1234567890","2","3","4"`, "", "", [4]int64{}, false},
		{`"AAA","2013J","+1","2","3","4"`, "", "", [4]int64{}, false},
		{`"AAA","2013J","1","2","3","4" `, "", "", [4]int64{}, false},
	}
	for i, tc := range cases {
		mod, pres, ints, ok := ouladParseVLELine([]byte(tc.line))
		if ok != tc.ok || (ok && (string(mod) != tc.mod || string(pres) != tc.pres || ints != tc.ints)) {
			t.Errorf("case %d %q: %q %q %v %v, want %q %q %v %v", i, tc.line, mod, pres, ints, ok, tc.mod, tc.pres, tc.ints, tc.ok)
		}
	}
}

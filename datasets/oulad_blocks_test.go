package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// blockRecorder is a test ouladBlockWorker: it writes each row it parses as
// "line:field|field|..." into the block's output, taking the fast path for
// rows whose first wanted field ends in an even digit (marked "fast"), and
// failing on the lines in fail.
type blockRecorder struct {
	out  *[]string
	fail map[int]bool
}

func (r *blockRecorder) begin(out *[]string) { *out = (*out)[:0]; r.out = out }

func (r *blockRecorder) fast(line []byte) bool {
	fields := bytes.Split(line, []byte(","))
	f := bytes.Trim(fields[0], `"`)
	if len(f) == 0 || (f[len(f)-1]-'0')%2 != 0 {
		return false
	}
	*r.out = append(*r.out, "fast:"+string(line))
	return true
}

func (r *blockRecorder) row(line int, rec [][]byte) error {
	if r.fail[line] {
		return fmt.Errorf("row error at line %d", line)
	}
	parts := make([]string, len(rec))
	for i, f := range rec {
		parts[i] = string(f)
	}
	*r.out = append(*r.out, strconv.Itoa(line)+":"+strings.Join(parts, "|"))
	return nil
}

// scanSerial is the expectation: ouladScanFile with the same row and fast
// functions, recording into one list.
func scanSerial(t *testing.T, data []byte, want []string, fail map[int]bool) ([]string, FileInfo, error) {
	t.Helper()
	var got []string
	r := &blockRecorder{fail: fail}
	r.begin(&got)
	info, err := ouladScanFile(fstest.MapFS{"f.csv": &fstest.MapFile{Data: data}}, "f.csv", want, ouladNewBuffers(), r.fast, r.row)
	return got, info, err
}

func scanParallel(data []byte, want []string, blockSize, workers int, fail map[int]bool) ([]string, FileInfo, error) {
	ws := make([]ouladBlockWorker[[]string], workers)
	for i := range ws {
		ws[i] = &blockRecorder{fail: fail}
	}
	var got []string
	info, err := ouladScanFileParallel(fstest.MapFS{"f.csv": &fstest.MapFile{Data: data}}, "f.csv", want, blockSize, ws, func(out *[]string) error {
		got = append(got, *out...)
		return nil
	})
	return got, info, err
}

// blockTestFile returns a CSV file with a BOM, quoted and bare fields,
// escaped quotes, CRLF and LF line ends, blank lines, one line longer than
// 4 KB, and no final line end.
func blockTestFile(rows int) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbf\"id\",\"text\",\"n\"\r\n")
	for i := range rows {
		text := strings.Repeat("x", rng.IntN(30))
		if i == rows/2 {
			text = strings.Repeat("long", 1200)
		}
		if rng.IntN(6) == 0 {
			text += `"q",` + strconv.Itoa(i)
		}
		n := strconv.Itoa(rng.IntN(1000) - 500)
		if rng.IntN(2) == 0 || strings.ContainsAny(text, `",`) {
			b.WriteString(`"` + strconv.Itoa(i) + `","` + strings.ReplaceAll(text, `"`, `""`) + `","` + n + `"`)
		} else {
			b.WriteString(strconv.Itoa(i) + "," + text + "," + n)
		}
		switch rng.IntN(20) {
		case 0:
			b.WriteString("\n\n") // a blank line: counted as a line, not a row
		case 1, 2, 3, 4, 5, 6, 7, 8, 9:
			b.WriteString("\r\n")
		default:
			b.WriteString("\n")
		}
	}
	return bytes.TrimRight(b.Bytes(), "\r\n")
}

// TestOULADScanFileParallelAgrees: whatever the block size (lines cut at
// every position, a line longer than the block) and the number of workers,
// the parallel scan applies exactly the rows, line numbers, fast-path
// choices, row count and hash of the serial scan, in file order; with the
// columns asked in another order the fast path is never taken.
func TestOULADScanFileParallelAgrees(t *testing.T) {
	data := blockTestFile(3000)
	for _, want := range [][]string{{"id", "text", "n"}, {"n", "id", "text"}} {
		ref, refInfo, err := scanSerial(t, data, want, nil)
		if err != nil {
			t.Fatal(err)
		}
		fast := 0
		for _, r := range ref {
			if strings.HasPrefix(r, "fast:") {
				fast++
			}
		}
		if wantFast := want[0] == "id"; (fast > 0) != wantFast || len(ref) != 3000 {
			t.Fatalf("columns %v: serial scan took the fast path for %d of %d rows", want, fast, len(ref))
		}
		for _, blockSize := range []int{1, 37, 4096, 1 << 20} {
			for _, workers := range []int{1, 2, 3} {
				got, info, err := scanParallel(data, want, blockSize, workers, nil)
				if err != nil {
					t.Fatalf("columns %v, block %d, %d workers: %v", want, blockSize, workers, err)
				}
				if info != refInfo {
					t.Errorf("columns %v, block %d, %d workers: info %+v, want %+v", want, blockSize, workers, info, refInfo)
				}
				if strings.Join(got, "\n") != strings.Join(ref, "\n") {
					for i := range min(len(got), len(ref)) {
						if got[i] != ref[i] {
							t.Fatalf("columns %v, block %d, %d workers: row %d is %q, want %q", want, blockSize, workers, i, got[i], ref[i])
						}
					}
					t.Fatalf("columns %v, block %d, %d workers: %d rows, want %d", want, blockSize, workers, len(got), len(ref))
				}
			}
		}
	}
}

// TestOULADScanFileParallelErrors: the error returned is the serial scan's
// (the first in file order) whichever block fails first on the workers;
// header problems and an empty file give the serial scan's errors; an
// error from apply stops the scan; no goroutine is left blocked (a later
// scan works, and a blocked one would hang the test).
func TestOULADScanFileParallelErrors(t *testing.T) {
	data := blockTestFile(2000)
	want := []string{"n", "id", "text"} // no fast path: every row reaches row()
	fail := map[int]bool{1500: true, 40: true, 900: true}
	_, _, refErr := scanSerial(t, data, want, fail)
	if refErr == nil || !strings.Contains(refErr.Error(), "line 40") {
		t.Fatalf("serial scan error %v, want the one at line 40", refErr)
	}
	for _, blockSize := range []int{64, 4096} {
		for _, workers := range []int{1, 2, 4} {
			if _, _, err := scanParallel(data, want, blockSize, workers, fail); err == nil || err.Error() != refErr.Error() {
				t.Errorf("block %d, %d workers: error %v, want %v", blockSize, workers, err, refErr)
			}
		}
	}
	for name, file := range map[string]string{
		"empty":          "",
		"missing column": "\"id\",\"n\"\n1,2\n",
		"bad header":     "\"id,text,n\n",
		"header only":    "id,text,n",
	} {
		_, refInfo, refErr := scanSerial(t, []byte(file), []string{"id", "text", "n"}, nil)
		_, info, err := scanParallel([]byte(file), []string{"id", "text", "n"}, 8, 2, nil)
		if fmt.Sprint(err) != fmt.Sprint(refErr) || info != refInfo {
			t.Errorf("%s: error %v info %+v, want %v %+v", name, err, info, refErr, refInfo)
		}
	}
	stop := errors.New("stop")
	calls := 0
	ws := []ouladBlockWorker[[]string]{&blockRecorder{}, &blockRecorder{}}
	_, err := ouladScanFileParallel(fstest.MapFS{"f.csv": &fstest.MapFile{Data: data}}, "f.csv", want, 256, ws, func(*[]string) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 3 {
		t.Errorf("apply error: got %v after %d calls, want %v after 3", err, calls, stop)
	}
	if _, info, err := scanParallel(data, want, 4096, 2, nil); err != nil || info.Rows != 2000 {
		t.Errorf("scan after the failed ones: %v, %d rows", err, info.Rows)
	}
}

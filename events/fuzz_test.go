package events

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
)

// fuzzBuilder is the sink the reader fuzz targets feed: a builder with one
// cutoff, so events also reach the feature aggregation.
func fuzzBuilder(t *testing.T) *Builder {
	t.Helper()
	b, err := NewBuilder(Options{Cutoffs: []int{7, 28}, Term: Term{Start: time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addSharedSeeds adds every file of ../shared/data/<sub> whose name ends
// in ext as a seed, when that data is present (it is optional).
func addSharedSeeds(f *testing.F, sub, ext string) {
	dir := sharedDataDir(sub)
	if dir == "" {
		return
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > fuzzcheck.MaxInput {
			// Keep the seed within the size the targets parse: its head,
			// cut at a line end.
			b = b[:fuzzcheck.MaxInput]
			if i := bytes.LastIndexByte(b, '\n'); i > 0 {
				b = b[:i+1]
			}
		}
		f.Add(b)
	}
}

// sharedDataDir is sharedData without a test to skip: "" when absent.
func sharedDataDir(sub string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", sub)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// readAndFinish parses data with read into a fresh builder and, when the
// reader accepted it, finishes the builder: neither step may panic.
func readAndFinish(t *testing.T, data []byte, read func(b *Builder) error) {
	fuzzcheck.Bounded(t, len(data), func() {
		b := fuzzBuilder(t)
		if err := read(b); err != nil {
			return
		}
		if _, err := b.Finish(); err != nil {
			return
		}
	})
}

// FuzzReadCSV feeds arbitrary bytes to the clickstream CSV reader with a
// format that uses every optional column.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("student,ts,action,resource,type,course,dur,n,ua,score\n" +
		"a,2024-01-08T10:00:00Z,viewed,r1,page,c1,30,2,Mozilla,0.5\n" +
		"b,2024-01-09T11:00:00+01:00,submitted,q1,quiz,c1,,1,,1\n"))
	f.Add([]byte("student,ts,action\n\"a\",2024-01-08T10:00:00Z,\"vi\"\"ewed\"\r\nb,not-a-time,x\n"))
	f.Add([]byte("student,ts\n" + string(make([]byte, 300)) + "\n"))
	format := CSVFormat{Student: []string{"student"}, Time: "ts", Action: "action", Resource: "resource",
		ResourceType: "type", Course: []string{"course"}, Duration: "dur", Count: "n", UserAgent: "ua", Score: "score"}
	f.Fuzz(func(t *testing.T, data []byte) {
		readAndFinish(t, data, func(b *Builder) error {
			_, err := ReadCSV(bytes.NewReader(data), "fuzz.csv", format, b.Symbols(), b)
			return err
		})
	})
}

// FuzzReadXAPI feeds arbitrary bytes to the xAPI statement reader (JSON
// lines or a JSON array), seeded with the shared Moodle statements.
func FuzzReadXAPI(f *testing.F) {
	addSharedSeeds(f, "xapi", ".jsonl")
	f.Add([]byte(`[{"actor":{"mbox":"mailto:a@x"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"http://x/q1"},"timestamp":"2024-01-09T10:00:00Z","result":{"score":{"scaled":0.5},"duration":"PT1M"}}]`))
	f.Add([]byte("{\"actor\":{\"account\":{\"name\":\"1\"}},\"timestamp\":\"2024-01-09T10:00:00Z\"}\n{\"actor\":"))
	f.Fuzz(func(t *testing.T, data []byte) {
		readAndFinish(t, data, func(b *Builder) error {
			_, err := ReadXAPI(bytes.NewReader(data), "fuzz.jsonl", b.Symbols(), b)
			return err
		})
	})
}

// FuzzReadCaliper feeds arbitrary bytes to the Caliper envelope reader,
// seeded with the shared IMS Caliper examples.
func FuzzReadCaliper(f *testing.F) {
	addSharedSeeds(f, "caliper", ".json")
	f.Add([]byte(`{"sensor":"s","sendTime":"2024-01-09T10:00:00Z","dataVersion":"http://purl.imsglobal.org/ctx/caliper/v1p2","data":[{"type":"NavigationEvent","actor":{"id":"urn:a"},"action":"NavigatedTo","object":{"id":"urn:o","type":"WebPage"},"eventTime":"2024-01-09T10:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		readAndFinish(t, data, func(b *Builder) error {
			_, err := ReadCaliper(bytes.NewReader(data), "fuzz.json", b.Symbols(), b)
			return err
		})
	})
}

// FuzzReadResourceTable feeds arbitrary bytes to the resource table reader
// (OULAD's vle.csv layout).
func FuzzReadResourceTable(f *testing.F) {
	f.Add([]byte("id_site,code_module,code_presentation,activity_type,week_from,week_to\n546943,AAA,2013J,resource,,\n"))
	f.Add([]byte("id_site,activity_type\n\"1\",quiz\n1,page\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcheck.Bounded(t, len(data), func() {
			_, _ = ReadResourceTable(bytes.NewReader(data), "vle.csv", "id_site", "activity_type", []string{"code_module", "code_presentation"})
		})
	})
}

package pgsrc

import (
	"context"
	"syscall"
	"testing"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/internal/pgtest"
)

type benchSink struct{ n int }

func (c *benchSink) Event(*events.Event) error          { c.n++; return nil }
func (c *benchSink) Malformed(string, int, error) error { return nil }

const benchRows = 1000000

// BenchmarkReadEvents reads a 1,000,000-row event log table (student,
// timestamptz, action, resource, resource type, count) from a local
// PostgreSQL server over its unix socket into a counting sink: rows/s is
// the read rate (query, transfer, decoding, event mapping and the
// fingerprint included).
func BenchmarkReadEvents(b *testing.B) {
	c := pgtest.Start(b)
	c.Exec(b, `CREATE TABLE events (student text, ts timestamptz, verb text, object text, object_type text, n integer);
INSERT INTO events SELECT 'S' || lpad((g / 100)::text, 5, '0'), timestamptz '2024-01-08 00:00:00+00' + (g % 100) * interval '1 hour' + (g % 3600000) * interval '1 millisecond',
  (ARRAY['viewed','viewed','posted','submitted'])[1 + g % 4], 'r' || (g % 400), (ARRAY['page','forum','quiz','video'])[1 + g % 4], 1 + g % 3
FROM generate_series(0, 999999) g`)
	c.Exec(b, "VACUUM ANALYZE events")
	getenv := func(string) string { return c.ConnString }
	src := Source{ConnectionEnv: "EVALRUN_BENCH_PG", Table: "events"}
	format := events.CSVFormat{Student: []string{"student"}, Time: "ts", Action: "verb", Resource: "object", ResourceType: "object_type", Count: "n"}
	cpu, server := cpuSeconds(), c.CPUSeconds()
	for b.Loop() {
		s := &benchSink{}
		st, _, err := ReadEvents(context.Background(), src, format, events.NewSymbols(), s, getenv)
		if err != nil || s.n != benchRows || st.Records != benchRows {
			b.Fatal(err, s.n)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	// On a shared machine wall time measures the other processes too: the
	// CPU seconds of this process and of the server bound the rate two
	// free cores reach (client and server run in parallel).
	client := (cpuSeconds() - cpu) / float64(b.N)
	srv := (c.CPUSeconds() - server) / float64(b.N)
	b.ReportMetric(client, "client-cpu-s/op")
	b.ReportMetric(srv, "server-cpu-s/op")
	if m := max(client, srv); m > 0 {
		b.ReportMetric(benchRows/m, "cpu-bound-rows/s")
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

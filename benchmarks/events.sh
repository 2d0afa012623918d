#!/usr/bin/env bash
# Benchmark of the events package: ingest, clean and build features for
# about 10 million generated clickstream rows (the log is generated once
# into $TMPDIR/evalrun-bench-events-16000-seed1, about 880 MB).
# Prints the benchmark line, wall and CPU time, peak resident set size and
# the machine's load average (the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(mktemp -d)/events.test"
go test -c -o "$bin" ./events
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cd events
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v "$bin" -test.run '^$' -test.bench Clickstream10M -test.benchtime 1x 2>&1 |
		grep -E 'Benchmark|Elapsed|User time|System time|Maximum resident'
else
	"$bin" -test.run '^$' -test.bench Clickstream10M -test.benchtime 1x
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

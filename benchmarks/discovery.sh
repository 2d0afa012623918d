#!/usr/bin/env bash
# Benchmarks of the discovery packages against the targets of
# docs/discovery.md (2 cores, 1.5 GB):
#   archetypes  BenchmarkFit100kStudents40Weeks   <= 10 s
#   sequences   BenchmarkMine10MEvents            <= 20 s
#   networks    BenchmarkCentralities50kStudents  <= 5 s
# Each runs once, with GOMAXPROCS=2; prints the benchmark line, wall and CPU
# time, peak resident set size and the machine's load average (the machine
# may be shared: CPU time over 2 is the wall time of a quiet machine).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
for spec in archetypes:Fit100kStudents40Weeks sequences:Mine10MEvents networks:Centralities50kStudents; do
	pkg="${spec%%:*}" bench="${spec#*:}"
	go test -c -o "$tmp/$pkg.test" "./$pkg"
	echo "== $pkg $bench (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
	if [ -x /usr/bin/time ]; then
		(cd "$pkg" && GOMAXPROCS=2 /usr/bin/time -v "$tmp/$pkg.test" -test.run '^$' -test.bench "^Benchmark$bench\$" -test.benchtime 1x -test.benchmem 2>&1 |
			grep -E 'Benchmark|Elapsed|User time|System time|Maximum resident')
	else
		(cd "$pkg" && GOMAXPROCS=2 "$tmp/$pkg.test" -test.run '^$' -test.bench "^Benchmark$bench\$" -test.benchtime 1x -test.benchmem)
	fi
done
rm -rf "$tmp"

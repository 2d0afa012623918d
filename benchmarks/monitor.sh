#!/usr/bin/env bash
# Benchmarks of monitoring one term: 100,000 students and 50 features
# (40 numeric, 10 categorical) against a bundle schema of 100,000 training
# rows, before outcomes (drift, score drift, expected performance, alerts)
# and with outcomes (realized AUC, precision, recall, calibration); and the
# drift measures alone. The target is 2 s per term on a quiet 2-core
# machine. Prints each benchmark line with its CPU seconds per term
# (cpu-s/op, independent of other load) and the machine's load average.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
go test ./monitor -run '^$' -bench 'MonitorTerm100kx50' -benchtime 3x | grep -E '^Benchmark'
go test ./drift -run '^$' -bench 'Term100kx50' -benchtime 3x | grep -E '^Benchmark'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Issue 14 target 3: peak memory against the number of students and of
# clicks. For 1x, 2x and 4x OULAD's students (32,593 each; 4x is about 130,000
# students and 40 million clicks) it writes synthetic OULAD tables once
# (evalrun synth oulad, into $TMPDIR/evalrun-synth-oulad-Nx) and runs the
# full-size benchmark spec (../shared/bench/oulad-full.toml: clicks, three
# models, every bootstrap) on them, printing the peak resident set size
# (target: <= 500 MB at 4x, growing with students, not clicks).
#
#   benchmarks/memory.sh [SCALES...]     (default: 1 2 4)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bench=${EVALRUN_BENCH_DIR:-$root/../shared/bench}
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(1 2 4)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/evalrun" ./cmd/evalrun
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %9s %11s %8s %8s %12s\n' scale students clicks wall_s peak_MB KB/student
for s in "${scales[@]}"; do
	data=${TMPDIR:-/tmp}/evalrun-synth-oulad-${s}x
	students=$((32593 * s))
	if [ ! -s "$data/studentVle.csv" ]; then
		"$work/evalrun" synth oulad -o "$data" --students "$students" >&2
	fi
	clicks=$(($(wc -l < "$data/studentVle.csv") - 1))
	sed -e "s|^path = .*|path = \"$data\"|" "$bench/oulad-full.toml" > "$work/spec-$s.toml"
	/usr/bin/time -f '%e %M' -o "$work/time" "$work/evalrun" run --quiet --output "$work/run-$s" "$work/spec-$s.toml" > /dev/null 2> "$work/err" ||
		{ cat "$work/err" >&2; exit 1; }
	read -r wall rss < "$work/time"
	printf '%-6s %9d %11d %8.1f %8.0f %12.1f\n' "${s}x" "$students" "$clicks" "$wall" "$((rss / 1024))" "$(awk -v r="$rss" -v n="$students" 'BEGIN{print r/n}')"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

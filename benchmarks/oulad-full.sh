#!/usr/bin/env bash
# Issue 14 target 1: the full-size OULAD benchmark of ../shared/bench, run on
# both sides in the same sitting: the pandas + scikit-learn pipeline
# (oulad_ref.py --vle --all) and evalrun on oulad-full.toml (the same
# experiment, every interval evalrun reports). Prints each side's wall time,
# CPU time and peak memory, and the ratios (target: evalrun >= 25x faster).
#
#   benchmarks/oulad-full.sh [PAIRS]     (default 1 pair of runs; medians over pairs)
#
# The full-size data (about 9.8 million clicks, 418 MB) is built once with
# ../shared/bench/oulad_fullscale.py into $OULAD_FULL (default
# $TMPDIR/evalrun-oulad-full). The machine may be shared: quote ratios from
# one sitting, never absolute times from different ones.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bench=${EVALRUN_BENCH_DIR:-$root/../shared/bench}
oulad=${EVALRUN_OULAD_DIR:-$root/../shared/data/oulad}
data=${OULAD_FULL:-${TMPDIR:-/tmp}/evalrun-oulad-full}
pairs=${1:-1}
py=/usr/bin/python3
if ! "$py" -c 'import pandas, sklearn' 2>/dev/null; then
	echo "installing Debian's python3-pandas and python3-sklearn" >&2
	apt-get install -y python3-pandas python3-sklearn >/dev/null
fi
if [ ! -s "$data/studentVle.csv" ]; then
	echo "building the full-size OULAD data in $data (once)" >&2
	"$py" "$bench/oulad_fullscale.py" "$oulad" "$data" >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
go build -o "$work/bin/evalrun" ./cmd/evalrun
sed -e "s|^path = .*|path = \"$data\"|" \
	"$bench/oulad-full.toml" > "$work/oulad-full.toml"

# measure LABEL CMD...: appends "wall cpu maxrss_kb" to $work/LABEL
measure() {
	local label=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" > "$work/$label.out" 2> "$work/$label.err" ||
		{ cat "$work/$label.err" >&2; exit 1; }
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/time" >> "$work/$label"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$pairs"); do
	measure sklearn "$py" "$bench/oulad_ref.py" "$data" --vle --all
	measure evalrun "$work/bin/evalrun" run --quiet --output "$work/run" "$work/oulad-full.toml"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def rows(label):
    return [tuple(map(float, l.split())) for l in open(f"{work}/{label}")]
sk, ev = rows("sklearn"), rows("evalrun")
med = lambda rs, k: statistics.median(r[k] for r in rs)
ref = json.loads(open(f"{work}/sklearn.out").read().strip().splitlines()[-1])
print(f"{'side':<24} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
for name, rs in (("pandas + scikit-learn", sk), ("evalrun", ev)):
    print(f"{name:<24} {med(rs, 0):>8.2f} {med(rs, 1):>8.2f} {med(rs, 2) / 1024:>8.0f}")
print(f"evalrun is {med(sk, 0) / med(ev, 0):.1f}x faster in wall time, {med(sk, 1) / med(ev, 1):.1f}x in CPU time, "
      f"with {med(sk, 2) / med(ev, 2):.1f}x less peak memory ({len(ev)} paired runs)")
print("scikit-learn AUCs: " + ", ".join(f"{k[4:]} {v}" for k, v in ref.items() if k.startswith("auc_") and not k.startswith("auc_ci")))
print("scikit-learn stage seconds: " + json.dumps(ref.get("timings_s", {})))
PY

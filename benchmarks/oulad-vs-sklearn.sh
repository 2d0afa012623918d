#!/usr/bin/env bash
# Runs evalrun's logistic regression, random forest and gradient boosting and
# scikit-learn's on the same encoded OULAD rows (assessment-only split, day
# 28), and prints both AUCs and times side by side. Not part of the tests.
#
#   benchmarks/oulad-vs-sklearn.sh models [PAIRS]
#
# instead times the whole comparison of experiments/oulad-models.toml (five
# models, two grids chosen by inner temporal validation, every bootstrap)
# against the same comparison written with pandas + scikit-learn
# (benchmarks/oulad_models_sklearn.py --same-outputs), run one after the
# other in the same sitting, PAIRS times, and prints median wall and CPU
# times and the ratio (issue 14 target 2: evalrun <= 20 s wall on 2 cores and
# >= 5x faster). "The same comparison" means the same bootstrap replicates:
# scikit-learn computes the 1000-replicate metric and paired bootstraps, the
# 500-replicate calibration bootstrap and the 200-replicate ROC band that
# evalrun reports by default, and permutation importance; TreeSHAP reasons
# only if the shap package is installed (Debian has none), so evalrun still
# does more. From the scikit-learn script's own stage timers the output also
# gives the ratio against its stages without those extra outputs (grids,
# fits, metric bootstraps only), a bound in scikit-learn's favour.
#
#   LEAN=1 benchmarks/oulad-vs-sklearn.sh models [PAIRS]
#
# compares the lean comparison on both sides: scikit-learn without
# --same-outputs (grids, fits, metric and paired bootstraps only), evalrun on
# oulad-models.toml with [explain] reasons = 0 and permutation_repeats = 0
# (it still computes the calibration bootstrap, ROC band and fairness audit,
# which scikit-learn then does not).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's python3-sklearn installs into the system python3 (another python3
# may come first on PATH).
py=/usr/bin/python3
if ! "$py" -c 'import sklearn, pandas' 2>/dev/null; then
  echo "installing Debian's python3-sklearn and python3-pandas" >&2
  apt-get install -y python3-sklearn python3-pandas >/dev/null
fi
if [ "${1:-}" = models ]; then
  pairs=${2:-1}
  same=(--same-outputs)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/bin"
  go build -o "$work/bin/evalrun" ./cmd/evalrun
  oulad=$(sed -n 's/^path = "\(.*\)"/\1/p' experiments/oulad-models.toml)
  oulad=$(cd experiments && cd "$oulad" && pwd)
  spec=experiments/oulad-models.toml
  if [ "${LEAN:-0}" = 1 ]; then
    same=()
    spec=$work/oulad-models-lean.toml
    sed -e "s|^path = .*|path = \"$oulad\"|" \
      -e 's|^\[metrics\]|[explain]\nreasons = 0\npermutation_repeats = 0\n\n[metrics]|' \
      experiments/oulad-models.toml > "$spec"
    grep -q '^permutation_repeats = 0' "$spec" || { echo "could not write the lean spec" >&2; exit 1; }
    echo "lean: scikit-learn without --same-outputs; evalrun without reasons and permutation importance"
  fi
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for _ in $(seq "$pairs"); do
    /usr/bin/time -f '%e %U %S %M' -a -o "$work/sklearn" "$py" benchmarks/oulad_models_sklearn.py ${same[@]+"${same[@]}"} "$oulad" > "$work/sklearn.json"
    /usr/bin/time -f '%e %U %S %M' -a -o "$work/evalrun" "$work/bin/evalrun" run --quiet --output "$work/run" "$spec" > /dev/null
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$py" - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def rows(label):
    return [tuple(map(float, l.split())) for l in open(f"{work}/{label}") if l[0].isdigit()]
sk, ev = rows("sklearn"), rows("evalrun")
med = lambda rs, f: statistics.median(f(r) for r in rs)
wall, cpu, mb = (lambda r: r[0]), (lambda r: r[1] + r[2]), (lambda r: r[3] / 1024)
print(f"{'oulad-models comparison':<24} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
for name, rs in (("pandas + scikit-learn", sk), ("evalrun", ev)):
    print(f"{name:<24} {med(rs, wall):>8.2f} {med(rs, cpu):>8.2f} {med(rs, mb):>8.0f}")
print(f"evalrun is {med(sk, wall) / med(ev, wall):.1f}x faster in wall time, {med(sk, cpu) / med(ev, cpu):.1f}x in CPU time ({len(ev)} paired runs)")
ref = json.loads(open(f"{work}/sklearn.json").read().strip().splitlines()[-1])
print("scikit-learn test AUCs: " + ", ".join(f"{k[4:]} {v}" for k, v in ref.items() if k.startswith("auc_") and "_ci" not in k))
print("scikit-learn stage seconds (last run): " + json.dumps(ref["timings_s"]))
if "reasons" in ref:
    extra = ("calibration_", "roc_band_", "permutation_", "treeshap_")
    lean = sum(v for k, v in ref["timings_s"].items() if not k.startswith(extra))
    print("scikit-learn computed evalrun's outputs: metric and paired bootstraps, calibration bootstrap, ROC band, permutation importance; TreeSHAP reasons " + ref["reasons"])
    print(f"not like for like: scikit-learn's stages without the calibration bootstrap, ROC band and permutation importance took {lean:.1f} s (its own timers, last run), {lean / med(ev, wall):.1f}x evalrun's run computing all of them (LEAN=1 compares the lean comparison on both sides)")
PY
  exit 0
fi
out=runs/oulad-vs-sklearn
log=$(mktemp)
# command models run in the spec's directory so they find sklearn_model.py
sed "s|argv = \[\"python3\", \"sklearn_model.py\"|argv = [\"$py\", \"$PWD/benchmarks/sklearn_model.py\"|" \
  benchmarks/oulad-vs-sklearn.toml > benchmarks/.oulad-vs-sklearn.resolved.toml
trap 'rm -f benchmarks/.oulad-vs-sklearn.resolved.toml "$log"' EXIT
go run ./cmd/evalrun run --allow-commands --quiet --log-format json --verbose \
  --output "$out" benchmarks/.oulad-vs-sklearn.resolved.toml >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
python3 - "$out" "$log" <<'PY'
import csv, json, sys, glob, re
out, log = sys.argv[1], sys.argv[2]
secs = {}
for line in open(log):
    rec = json.loads(line)
    if rec.get("msg") == "evaluated":
        secs[rec["model"]] = rec["seconds"]
sk = {}
for path in glob.glob(out + "/commands/*/*.stderr"):
    m = re.search(r"sklearn (\w+): fit ([\d.]+) s", open(path).read())
    if m:
        sk[m.group(1)] = float(m.group(2))
print(f"{'model':<12} {'test AUC':>9} {'95% CI':>17} {'evaluation s':>13}  note")
for row in csv.DictReader(open(out + "/metrics.csv")):
    note = ""
    name = row["model"]
    if name.startswith("sklearn-"):
        note = f"scikit-learn fit {sk.get(name.split('-', 1)[1], float('nan')):.2f} s"
    print(f"{name:<12} {float(row['auc']):>9.4f} {float(row['auc_lower']):>8.4f}-{float(row['auc_upper']):.4f} {secs.get(name, float('nan')):>13.2f}  {note}")
PY

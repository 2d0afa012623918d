#!/usr/bin/env bash
# Runs evalrun's logistic regression, random forest and gradient boosting and
# scikit-learn's on the same encoded OULAD rows (assessment-only split, day
# 28), and prints both AUCs and times side by side. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's python3-sklearn installs into the system python3 (another python3
# may come first on PATH).
py=/usr/bin/python3
if ! "$py" -c 'import sklearn' 2>/dev/null; then
  echo "installing Debian's python3-sklearn" >&2
  apt-get install -y python3-sklearn >/dev/null
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

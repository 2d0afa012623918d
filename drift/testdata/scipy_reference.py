"""Writes scipy_reference.json: inputs and reference values for package drift.

Run with scipy 1.10.1 and numpy 1.24.2 (Debian 12's python3-scipy):
    /usr/bin/python3 scipy_reference.py > scipy_reference.json
The PSI and Jensen-Shannon references follow Evidently's definitions
(evidently.calculations.stattests: get_binned_data, psi, jensenshannon,
wasserstein_distance_norm, chisquare_stattest), written here with numpy and
scipy because Evidently itself is not installed.
"""
import json
import numpy as np
from scipy import stats, special
from scipy.spatial import distance

rng = np.random.default_rng(20261206)


def sample(n, loc=0.0, scale=1.0, kind="normal"):
    if kind == "normal":
        x = rng.normal(loc, scale, n)
    elif kind == "exp":
        x = rng.exponential(scale, n) + loc
    else:
        x = rng.integers(0, 40, n).astype(float) * scale + loc
    return [float(v) for v in np.round(x, 4)]


def binned(ref, cur, numeric):
    ref, cur = np.asarray(ref), np.asarray(cur)
    if numeric and len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = sorted(set(ref.tolist()) | set(cur.tolist()))
        r = np.array([np.sum(ref == k) for k in keys]) / len(ref)
        c = np.array([np.sum(cur == k) for k in keys]) / len(cur)
    return r, c


def fill(p):
    p = p.copy()
    m = min(p[p != 0])
    np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return p


def psi(ref, cur, numeric=True):
    r, c = binned(ref, cur, numeric)
    r, c = fill(r), fill(c)
    return float(np.sum((r - c) * np.log(r / c))), len(r)


cases = {"ks": [], "kstwo": [], "smirnov": [], "wasserstein": [], "psi": [], "js": [], "chisquare": []}

for n1, n2, shift, kind in [(20, 30, 0.5, "normal"), (50, 50, 0.3, "normal"), (37, 37, 0.0, "exp"),
                            (300, 400, 0.15, "normal"), (1000, 3000, 0.08, "normal"),
                            (999, 6000, 0.05, "exp"), (100, 15000, 0.2, "normal"),
                            (800, 12000, 0.06, "normal"),
                            (200, 200, 0.0, "int")]:
    a = sample(n1, kind=kind)
    b = sample(n2, loc=shift, kind=kind)
    r = stats.ks_2samp(a, b)
    cases["ks"].append({"a": a, "b": b, "d": float(r.statistic), "p": float(r.pvalue)})

for n in [5, 20, 99, 140, 141, 300, 740, 1000, 5000]:
    for x in [0.004, 0.02, 0.035, 0.05, 0.08, 0.12, 0.2, 0.35, 0.6, 0.9, 0.99]:
        cases["kstwo"].append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})

for n in [3, 10, 100, 1000, 5000]:
    for e in [0.01, 0.05, 0.1, 0.3, 0.7]:
        cases["smirnov"].append({"n": n, "e": e, "p": float(special.smirnov(n, e))})

for n1, n2, shift, scale in [(1500, 1200, 0.1, 1.0), (5000, 2000, 0.0, 2.0), (2000, 3000, 0.4, 1.0)]:
    a = sample(n1)
    b = sample(n2, loc=shift, scale=scale)
    wd = stats.wasserstein_distance(a, b)
    cases["wasserstein"].append({"a": a, "b": b, "distance": float(wd),
                                 "normalized": float(wd / max(np.std(a), 0.001))})
    p, bins = psi(a, b)
    cases["psi"].append({"a": a, "b": b, "psi": p, "bins": bins, "numeric": True})

# PSI with empty bins on both sides and a tiny share.
a = sample(3000, kind="exp")
b = sample(200, loc=2.0, kind="exp")
p, bins = psi(a, b)
cases["psi"].append({"a": a, "b": b, "psi": p, "bins": bins, "numeric": True})
a = sample(1200, kind="int", scale=0.5)
b = sample(1100, kind="int", scale=0.5, loc=0.5)
p, bins = psi(a, b)
cases["psi"].append({"a": a, "b": b, "psi": p, "bins": bins, "numeric": True})

for p, q in [([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), ([0.1, 0.0, 0.9], [0.0, 0.4, 0.6]),
             ([120, 30, 50, 800], [100, 60, 40, 500])]:
    cases["js"].append({"p": p, "q": q, "distance": float(distance.jensenshannon(p, q, 2))})

for ref, cur in [([400, 300, 200, 100], [90, 80, 60, 20]), ([50, 50, 0], [40, 45, 5]), ([10, 20, 30], [12, 18, 33])]:
    nr, nc = sum(ref), sum(cur)
    exp = [r * nc / nr for r in ref]
    with np.errstate(divide="ignore", invalid="ignore"):
        s, pv = stats.chisquare(cur, exp)
    cases["chisquare"].append({"ref": ref, "cur": cur, "stat": float(s) if np.isfinite(s) else "Infinity", "p": float(pv)})

print(json.dumps({"generator": "scipy %s, numpy %s" % (__import__("scipy").__version__, np.__version__),
                  "cases": cases}))

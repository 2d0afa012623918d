#!/usr/bin/env python3
"""Generates scipy_t_quantile.json: scipy's Student t quantiles and CDFs.

Run with Debian bookworm's python3-scipy 1.10.1 (apt-get install
python3-scipy), from this directory:  /usr/bin/python3 gen_scipy_t_quantile.py

"quantiles" holds scipy.stats.t.ppf(p, df) for seeded (p, df) pairs: p in
both tails (down to 1e-12), at the usual two-sided levels and near the
centre; df from 1.5 to 500, non-integer and integer. scipy 1.10.1 computes
them with DCDFLIB's cdft (which=2), which stops its root search at a
relative tolerance of 1e-8, so they differ from the exact quantile in about
the ninth digit; TestScipyTQuantile checks that scipyTQuantile reproduces
them. "exact" is the exact quantile (mpmath 1.2.1, 40 digits). "cdf" holds DCDFLIB's t CDF (cumt, reached through
scipy.special.nctdtr with zero non-centrality) at seeded (t, df) pairs, for
TestDcdflibTCDF.
"""
import json

import mpmath
import numpy as np
import scipy
from scipy import special, stats

assert scipy.__version__ == "1.10.1", scipy.__version__

rng = np.random.default_rng(20261123)

fixed_p = [0.975, 0.025, 0.995, 0.005, 0.95, 0.05, 0.9, 0.1, 0.5,
           0.5000001, 0.4999, 0.75, 0.25, 1e-6, 1 - 1e-6, 1e-12]
fixed_df = [1.5, 2, 2.5, 3, 4.7, 10, 29.5, 30, 59.260443420786686, 120,
            250.25, 500]

pairs = []
for p in fixed_p[:8]:
    for df in fixed_df[:: 2]:
        pairs.append((p, df))
for _ in range(116):
    df = float(np.exp(rng.uniform(np.log(1.5), np.log(500))))
    if rng.uniform() < 0.25:
        df = float(np.round(df))
    kind = rng.integers(3)
    if kind == 0:    # tails
        p = float(10 ** rng.uniform(-12, -1.3))
    elif kind == 1:  # centre
        p = float(rng.uniform(0.05, 0.95))
    else:            # two-sided levels used for intervals
        p = float(rng.choice([0.9, 0.95, 0.975, 0.995, 0.9995]))
    if rng.uniform() < 0.5:
        p = 1 - p
    pairs.append((p, df))
for p in fixed_p:
    pairs.append((p, float(rng.choice(fixed_df))))
for _ in range(120):
    df = float(rng.uniform(1.5, 500))
    p = float(rng.uniform(0.001, 0.999))
    pairs.append((p, df))

mpmath.mp.dps = 40


def exact_quantile(p, df, start):
    """The exact p quantile (mpmath 40 digits, Newton from scipy's)."""
    p, df = mpmath.mpf(p), mpmath.mpf(df)
    if p == mpmath.mpf(1) / 2:
        return 0.0

    def cdf(t):
        x = df / (df + t * t)
        half = mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, x, regularized=True) / 2
        return half if t <= 0 else 1 - half

    def pdf(t):
        return mpmath.exp(mpmath.loggamma((df + 1) / 2) - mpmath.loggamma(df / 2)
                          - (df + 1) / 2 * mpmath.log1p(t * t / df)) / mpmath.sqrt(df * mpmath.pi)

    t = mpmath.mpf(start)
    for _ in range(50):
        step = (cdf(t) - p) / pdf(t)
        t -= step
        if abs(step) <= abs(t) * mpmath.mpf(10) ** -30:
            break
    return float(t)


quantiles = []
for p, df in pairs:
    ppf = float(stats.t.ppf(p, df))
    quantiles.append({"p": p, "df": df, "ppf": ppf,
                      "exact": exact_quantile(p, df, ppf)})

cdf = []
for _ in range(150):
    df = float(np.exp(rng.uniform(np.log(1.5), np.log(500))))
    t = float(rng.choice([-1, 1]) * 10 ** rng.uniform(-3, 1.5))
    cdf.append({"t": t, "df": df,
                "cdf": float(special.nctdtr(df, 0.0, t))})

out = {"generator": "gen_scipy_t_quantile.py, scipy " + scipy.__version__,
       "quantiles": quantiles, "cdf": cdf}
with open("scipy_t_quantile.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print(len(quantiles), "quantiles,", len(cdf), "cdf values")

"""Generates sklearn_lbfgs.json: scikit-learn 1.2.1's default LogisticRegression
solver (lbfgs: scipy 1.10.1 L-BFGS-B, tol 1e-4, max_iter 100 unless a case says
otherwise) on seeded random binary problems, for models.TestLogisticLBFGSMatchesSklearn.

Run with Debian bookworm's python3-sklearn (scikit-learn 1.2.1, scipy 1.10.1,
numpy 1.24.2):
    /usr/bin/python3 models/testdata/gen_sklearn_lbfgs.py > models/testdata/sklearn_lbfgs.json

It fits every problem twice: with the BLAS numpy uses here (OpenBLAS) and,
in a child process, with the reference BLAS (Debian's libblas3, through
LD_LIBRARY_PATH), and records how far apart scikit-learn's two answers are.

Every case stores the inputs exactly as scikit-learn saw them (X rounded to 4
significant digits before fitting), scikit-learn's coef_, intercept_, n_iter_,
and whether it warned ConvergenceWarning. With "standardize" the fit is on
StandardScaler().fit_transform(X) and the Go side standardizes X itself.
The problems vary the shape (n 50 to 3000, d 1 to 20), C, class weights,
separation, collinearity and feature scales; unscaled features make lbfgs
stop at max_iter, as scikit-learn users see.
"""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def round_sig(a, digits=4):
    return np.array([float(f"{v:.{digits}g}") for v in a.ravel()]).reshape(a.shape)


def make(seed, n, d, kind):
    """A problem of one kind: plain, separable, collinear, unscaled, rare, shifted."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    scales = np.ones(d)
    if kind == "collinear" and d >= 2:
        # Later columns are near copies or combinations of the first ones.
        for j in range(d // 2, d):
            X[:, j] = X[:, j - d // 2] + 0.01 * rng.normal(size=n)
    if kind == "unscaled":
        scales = 10.0 ** rng.uniform(-2, 3, size=d)
        X = X * scales + rng.normal(size=d) * scales * 3
    if kind == "shifted":
        X = X + 5 + rng.normal(size=d) * 10
    beta = rng.normal(size=d) * (3.0 if kind == "separable" else 1.0)
    center = X.mean(axis=0)
    eta = ((X - center) / scales) @ beta
    if kind == "separable":
        eta *= 8
    if kind == "rare":
        eta = eta - 3
    p = 1 / (1 + np.exp(-eta))
    y = (rng.random(n) < p).astype(int)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    return round_sig(X), y


# id suffix, seed, n, d, kind, C, class_weight, standardize, max_iter
specs = [
    ("plain", 1, 50, 1, "plain", 1.0, None, False, 100),
    ("plain", 2, 80, 2, "plain", 0.1, None, False, 100),
    ("plain", 3, 120, 3, "plain", 10.0, None, False, 100),
    ("plain", 4, 200, 5, "plain", 1.0, "balanced", False, 100),
    ("plain", 5, 300, 8, "plain", 0.01, None, False, 100),
    ("plain", 6, 500, 10, "plain", 100.0, None, False, 100),
    ("plain", 7, 1000, 4, "plain", 1.0, None, False, 100),
    ("plain", 8, 3000, 6, "plain", 0.5, None, False, 100),
    ("plain", 9, 400, 20, "plain", 1.0, None, False, 100),
    ("plain", 10, 2000, 12, "plain", 2.0, "balanced", False, 100),
    ("separable", 11, 60, 2, "separable", 1.0, None, False, 100),
    ("separable", 12, 150, 3, "separable", 100.0, None, False, 100),
    ("separable", 13, 300, 5, "separable", 1000.0, None, False, 100),
    ("separable", 14, 500, 10, "separable", 10.0, "balanced", False, 100),
    ("separable", 15, 1000, 2, "separable", 1e4, None, False, 100),
    ("collinear", 16, 100, 4, "collinear", 1.0, None, False, 100),
    ("collinear", 17, 400, 6, "collinear", 10.0, None, False, 100),
    ("collinear", 18, 800, 10, "collinear", 100.0, "balanced", False, 100),
    ("collinear", 19, 2500, 8, "collinear", 0.1, None, False, 100),
    ("collinear", 20, 300, 20, "collinear", 1.0, None, False, 100),
    ("unscaled", 21, 100, 2, "unscaled", 1.0, None, False, 100),
    ("unscaled", 22, 300, 4, "unscaled", 1.0, None, False, 100),
    ("unscaled", 23, 500, 6, "unscaled", 10.0, "balanced", False, 100),
    ("unscaled", 24, 1000, 8, "unscaled", 0.1, None, False, 100),
    ("unscaled", 25, 2000, 5, "unscaled", 1.0, None, False, 100),
    ("unscaled", 26, 3000, 3, "unscaled", 100.0, None, False, 100),
    ("unscaled", 41, 1500, 10, "unscaled", 1.0, None, False, 100),
    ("unscaled", 27, 250, 12, "unscaled", 1.0, "balanced", False, 100),
    ("shifted", 28, 200, 3, "shifted", 1.0, None, False, 100),
    ("shifted", 29, 700, 6, "shifted", 10.0, None, False, 100),
    ("rare", 30, 400, 5, "rare", 1.0, None, False, 100),
    ("rare", 31, 1500, 8, "rare", 1.0, "balanced", False, 100),
    ("std", 32, 300, 4, "unscaled", 1.0, None, True, 100),
    ("std", 33, 1200, 10, "unscaled", 0.5, "balanced", True, 100),
    ("std", 34, 600, 6, "shifted", 10.0, None, True, 100),
    ("std", 35, 1500, 15, "collinear", 1.0, None, True, 100),
    ("maxiter15", 36, 500, 8, "unscaled", 1.0, None, False, 15),
    ("maxiter5", 37, 300, 10, "collinear", 10.0, "balanced", False, 5),
    ("maxiter30", 38, 1000, 6, "unscaled", 1.0, None, False, 30),
    ("maxiter1", 39, 200, 3, "plain", 1.0, None, False, 1),
    ("plain", 40, 50, 20, "plain", 1.0, None, False, 100),
]

REFERENCE_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/blas"  # Debian libblas3 (netlib)


def blas_in_use():
    """The file numpy's libblas.so.3 resolved to in this process."""
    import numpy  # noqa: F401  (loads the BLAS)
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "libblas.so" in line})
    return ", ".join(os.path.realpath(p) for p in paths) or "unknown"


def fit_all():
    """Fits every spec; returns the problems and scikit-learn's results."""
    out = []
    for suffix, seed, n, d, kind, C, cw, std, max_iter in specs:
        X, y = make(seed, n, d, kind)
        Z = StandardScaler().fit_transform(X) if std else X
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = LogisticRegression(C=C, class_weight=cw, max_iter=max_iter).fit(Z, y)
        warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        out.append((X, y, m.coef_[0].tolist() + [float(m.intercept_[0])], int(m.n_iter_[0]), not warned))
    return out


if os.environ.get("GEN_SKLEARN_LBFGS_CHILD") == "1":
    # Child run under the reference BLAS: print its fits only.
    json.dump({"blas": blas_in_use(), "fits": [[p, it, conv] for _, _, p, it, conv in fit_all()]}, sys.stdout)
    sys.exit(0)

# scikit-learn's own result depends on the BLAS numpy uses (OpenBLAS sums in
# another order than the reference BLAS). On well-conditioned problems the
# two agree to ~1e-15; on ill-conditioned ones (unscaled features) the
# rounding differences grow along the L-BFGS path and the two disagree by far
# more than any test tolerance. Each case records that spread ("blas_spread":
# the largest relative difference of coef_/intercept_ between a fit with the
# BLAS installed here and one with the reference BLAS) so the Go test can
# tell determinate cases from indeterminate ones.
child = subprocess.run(
    [sys.executable, __file__],
    env={**os.environ, "GEN_SKLEARN_LBFGS_CHILD": "1", "LD_LIBRARY_PATH": REFERENCE_BLAS_DIR},
    check=True, capture_output=True, text=True)
reference = json.loads(child.stdout)
main_blas = blas_in_use()
if reference["blas"] == main_blas:
    sys.exit(f"the reference-BLAS run used the same BLAS ({main_blas}); install libblas3")

cases = []
for (suffix, seed, n, d, kind, C, cw, std, max_iter), (X, y, params, n_iter, converged), (ref_params, ref_iter, ref_conv) in zip(
        specs, fit_all(), reference["fits"]):
    spread = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ref_params, params))
    cases.append({
        "id": f"{seed:02d}-{suffix}-n{n}-d{d}-C{C:g}" + ("-balanced" if cw else "") + ("-std" if std else ""),
        "X": X.tolist(),
        "y": y.tolist(),
        "C": C,
        "class_weight": cw or "",
        "standardize": std,
        "max_iter": max_iter,
        "coef": params[:-1],
        "intercept": params[-1],
        "n_iter": n_iter,
        "converged": converged,
        "blas_spread": spread,
        "reference_blas_coef": ref_params[:-1],
        "reference_blas_intercept": ref_params[-1],
        "reference_blas_n_iter": ref_iter,
        "reference_blas_converged": ref_conv,
    })

json.dump({
    "generator": "scikit-learn 1.2.1 LogisticRegression(C, class_weight, max_iter) defaults (lbfgs, tol 1e-4), "
                 "scipy 1.10.1, numpy 1.24.2; models/testdata/gen_sklearn_lbfgs.py",
    "blas": main_blas,
    "reference_blas": reference["blas"],
    "cases": cases,
}, sys.stdout, separators=(",", ":"))

"""Generates logistic_exact.json: exact (converged) scikit-learn solutions of
L2-penalized logistic regression, for models.TestLogisticExactReference.

Run with Debian bookworm's python3-sklearn (scikit-learn 1.2.1, numpy 1.24.2):
    /usr/bin/python3 models/testdata/gen_logistic_exact.py > models/testdata/logistic_exact.json

The solver is newton-cholesky with tol=1e-12: the default lbfgs stops on scipy's
default ftol (2.2e-9 relative objective change) about 1e-5 from the optimum.
"""
import json

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def make(seed, n, d, prevalence_shift, scales):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.array(scales) + np.arange(d)
    beta = rng.normal(size=d) / np.array(scales)
    eta = (X - np.arange(d)) @ beta + prevalence_shift
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return np.round(X, 4), y


cases = []
specs = [
    # id, seed, n, d, shift, scales, C, standardize, class_weight, constant column
    ("raw-n250-d3-C1", 1, 250, 3, 0.0, [1, 1, 1], 1.0, False, None, False),
    ("raw-n400-d5-C0.01", 2, 400, 5, -0.5, [1, 2, 0.5, 1, 3], 0.01, False, None, False),
    ("raw-n150-d2-C100", 3, 150, 2, 0.3, [3, 3], 100.0, False, None, False),
    ("raw-n500-d4-C1-balanced", 4, 500, 4, -2.0, [1, 1, 1, 1], 1.0, False, "balanced", False),
    ("std-n300-d4-C0.5", 5, 300, 4, -0.7, [1000, 0.01, 1, 50], 0.5, True, None, False),
    ("std-n300-d4-C2-balanced-constant", 6, 300, 4, -1.8, [10, 1, 0.1, 1], 2.0, True, "balanced", True),
]
for cid, seed, n, d, shift, scales, C, std, cw, const in specs:
    X, y = make(seed, n, d, shift, scales)
    if const:
        X[:, 2] = 7.5
    Z = StandardScaler().fit_transform(X) if std else X
    m = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, class_weight=cw).fit(Z, y)
    cases.append({
        "id": cid,
        "X": X.tolist(),
        "y": y.tolist(),
        "C": C,
        "standardize": std,
        "class_weight": cw or "",
        "coef": m.coef_[0].tolist(),
        "intercept": float(m.intercept_[0]),
    })
json.dump({"generator": "scikit-learn 1.2.1 LogisticRegression(solver='newton-cholesky', tol=1e-12), StandardScaler for standardize", "cases": cases}, __import__("sys").stdout)

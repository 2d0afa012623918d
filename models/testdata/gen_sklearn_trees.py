"""Generates sklearn_trees.json: scikit-learn 1.2.1 predictions of
DecisionTreeClassifier and HistGradientBoostingClassifier (early stopping
off, so fully deterministic) on generated data, for models.TestSklearnTrees.

Run with Debian bookworm's python3-sklearn (scikit-learn 1.2.1, numpy 1.24.2):
    /usr/bin/python3 models/testdata/gen_sklearn_trees.py > models/testdata/sklearn_trees.json

Feature values are multiples of 1/64 so that scikit-learn's float32 copy of X
is exact; x2 has many distinct values (percentile bins for HGB), x3 is a
count, x4 a flag; HGB data has missing values in x0 and x5.
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier


def make(seed, n, missing):
    rng = np.random.default_rng(seed)
    X = np.empty((n, 6))
    X[:, 0] = np.round(rng.normal(size=n) * 64) / 64
    X[:, 1] = np.round(rng.normal(size=n) * 64) / 64
    X[:, 2] = np.round(rng.normal(size=n) * 4096) / 64
    X[:, 3] = rng.poisson(3, size=n)
    X[:, 4] = rng.integers(0, 2, size=n)
    X[:, 5] = np.round(rng.uniform(-2, 2, size=n) * 64) / 64
    eta = 1.5 * np.sign(X[:, 0]) * np.sign(X[:, 1]) + 0.02 * X[:, 2] + 0.8 * (X[:, 3] > 3) * X[:, 4] - 0.5 * X[:, 5]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    if missing:
        X[rng.random(n) < 0.15, 0] = np.nan
        X[rng.random(n) < 0.05, 5] = np.nan
    return X, y


def tolist(a):
    return [[None if np.isnan(v) else float(v) for v in row] for row in a]


cases = []
# Settings whose trees have no tied splits: scikit-learn breaks ties by its
# random feature order, so tied trees differ between random_state values
# (checked below) and cannot be compared.
tree_specs = [
    ("tree-gini-depth6-leaf5", dict(criterion="gini", max_depth=6, min_samples_leaf=5)),
    ("tree-entropy-depth4-leaf10", dict(criterion="entropy", max_depth=4, min_samples_leaf=10)),
    ("tree-gini-depth5-leaf8-split40-balanced", dict(criterion="gini", max_depth=5, min_samples_leaf=8, min_samples_split=40, class_weight="balanced")),
]
for k, (cid, kw) in enumerate(tree_specs):
    X, y = make(10 + k, 500, False)
    Xt, _ = make(100 + k, 200, False)
    m = DecisionTreeClassifier(random_state=0, **kw).fit(X, y)
    for s in range(1, 10):
        other = DecisionTreeClassifier(random_state=s, **kw).fit(X, y)
        assert np.array_equal(other.predict_proba(Xt), m.predict_proba(Xt)), (cid, "has tied splits")
    cases.append({"id": cid, "model": "tree", "params": kw, "X": tolist(X), "y": y.tolist(),
                  "X_test": tolist(Xt), "proba": m.predict_proba(Xt)[:, 1].tolist()})

gbm_specs = [
    ("gbm-default-30iter", dict(max_iter=30)),
    ("gbm-depth3-l2-lr0.3", dict(max_iter=25, max_depth=3, max_leaf_nodes=None, l2_regularization=1.0, learning_rate=0.3)),
    ("gbm-leaf5-8leaves-bins32-balanced", dict(max_iter=20, min_samples_leaf=5, max_leaf_nodes=8, max_bins=32, class_weight="balanced")),
]
for k, (cid, kw) in enumerate(gbm_specs):
    X, y = make(20 + k, 1500, True)
    Xt, _ = make(200 + k, 300, True)
    m = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **kw).fit(X, y)
    cases.append({"id": cid, "model": "gbm", "params": kw, "X": tolist(X), "y": y.tolist(),
                  "X_test": tolist(Xt), "proba": m.predict_proba(Xt)[:, 1].tolist(),
                  "n_iter": int(m.n_iter_)})

json.dump({"generator": "scikit-learn 1.2.1 (Debian bookworm python3-sklearn)", "cases": cases}, sys.stdout)

"""Generates sklearn_ensembles.json: what scikit-learn 1.2.1's
RandomForestClassifier and HistGradientBoostingClassifier (early stopping
on) do on generated data with one-hot columns, averaged over random_state
0..4, for models.TestSklearnEnsembles. Their randomness (bootstrap, feature
draws, the early-stopping split) cannot be reproduced draw for draw, so the
reference is the average shape and accuracy: mean leaves per tree and test
AUC of the forest, mean iterations and test AUC of the boosting.

Run with Debian bookworm's python3-sklearn (scikit-learn 1.2.1, numpy 1.24.2):
    /usr/bin/python3 models/testdata/gen_sklearn_ensembles.py > models/testdata/sklearn_ensembles.json

Columns (25, OULAD-like): x0, x1 (normal, multiples of 1/64 so that
scikit-learn's float32 copy is exact), a score (integer 0..100), a count,
three categories of 10, 5 and 3 levels one-hot coded and three rare flags:
columns that become constant in deep nodes, where scikit-learn's feature
draws count constant columns towards max_features. Rows
carry a term: the first 40% "2013B", the rest "2013J" (evalrun takes the
early-stopping rows from the latest term; scikit-learn at random).
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import roc_auc_score

A_EFFECT = [-1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 0.0, 0.3, -0.3, 0.0]
B_EFFECT = [0.4, 0.0, -0.4, 0.0, 0.2]
C_EFFECT = [0.0, 0.3, -0.6]


def make(seed, n):
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 25))
    X[:, 0] = np.round(rng.normal(size=n) * 64) / 64
    X[:, 1] = np.round(rng.normal(size=n) * 64) / 64
    X[:, 2] = rng.integers(0, 101, size=n)
    X[:, 3] = rng.poisson(2, size=n)
    a = rng.integers(0, 10, size=n)
    b = rng.integers(0, 5, size=n)
    c = rng.integers(0, 3, size=n)
    X[np.arange(n), 4 + a] = 1
    X[np.arange(n), 14 + b] = 1
    X[np.arange(n), 19 + c] = 1
    X[:, 22:25] = rng.random((n, 3)) < 0.05
    eta = (1.2 * np.sign(X[:, 0]) * np.sign(X[:, 1]) + 0.03 * (X[:, 2] - 50) - 0.2 * X[:, 3]
           + np.array(A_EFFECT)[a] + np.array(B_EFFECT)[b] + np.array(C_EFFECT)[c]
           + 0.8 * X[:, 22] - 0.1)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y


def tolist(a):
    # Integers without a decimal point keep the file small.
    return [[int(v) if v == int(v) else float(v) for v in row] for row in a]


cases = []
seeds = range(5)

X, y = make(1, 2000)
Xt, yt = make(2, 1500)
leaves, depth, auc = [], [], []
for s in seeds:
    m = RandomForestClassifier(n_estimators=100, min_samples_leaf=5, random_state=s).fit(X, y)
    leaves.append(np.mean([e.get_n_leaves() for e in m.estimators_]))
    depth.append(np.mean([e.get_depth() for e in m.estimators_]))
    auc.append(roc_auc_score(yt, m.predict_proba(Xt)[:, 1]))
cases.append({"id": "forest-100-leaf5", "model": "random_forest",
              "params": {"n_estimators": 100, "min_samples_leaf": 5},
              "X": tolist(X), "y": y.tolist(), "X_test": tolist(Xt), "y_test": yt.tolist(),
              "mean_leaves": float(np.mean(leaves)), "mean_depth": float(np.mean(depth)),
              "mean_auc": float(np.mean(auc)), "sd_auc": float(np.std(auc, ddof=1))})

X, y = make(3, 4000)
Xt, yt = make(4, 1500)
iters, auc = [], []
for s in seeds:
    m = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.1, early_stopping=True,
                                       random_state=s).fit(X, y)
    iters.append(m.n_iter_)
    auc.append(roc_auc_score(yt, m.predict_proba(Xt)[:, 1]))
cases.append({"id": "gbm-early-stopping", "model": "gbm",
              "params": {"max_iter": 300, "learning_rate": 0.1, "early_stopping": True,
                         "validation_fraction": 0.1},
              "X": tolist(X), "y": y.tolist(), "X_test": tolist(Xt), "y_test": yt.tolist(),
              "terms_split": 0.4,
              "mean_iterations": float(np.mean(iters)), "mean_auc": float(np.mean(auc)),
              "sd_auc": float(np.std(auc, ddof=1))})

json.dump({"generator": "scikit-learn 1.2.1 (Debian bookworm python3-sklearn)", "cases": cases}, sys.stdout)

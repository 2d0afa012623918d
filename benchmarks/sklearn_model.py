#!/usr/bin/env python3
"""Score rows with a scikit-learn model for evalrun's command model kind.

Usage: sklearn_model.py MODEL TRAIN_CSV SCORE_CSV OUTPUT_CSV

evalrun writes TRAIN_CSV (key, term, label, encoded features) and SCORE_CSV
(key, term, features); this fits MODEL on the training rows and writes
OUTPUT_CSV with columns key and score. Fit and predict times go to stderr,
which evalrun keeps in the run directory.
"""
import csv
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

MODELS = {
    "rf": lambda: RandomForestClassifier(n_estimators=300, min_samples_leaf=5, n_jobs=2, random_state=0),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=0),
    "lr": lambda: LogisticRegression(C=1.0, max_iter=1000),
}


def read(path, labelled):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    first = 3 if labelled else 2
    keys = [r[0] for r in body]
    x = np.array([[float(v) if v != "" else np.nan for v in r[first:]] for r in body])
    y = np.array([int(r[2]) for r in body]) if labelled else None
    return keys, x, y


def main():
    name, train_path, score_path, out_path = sys.argv[1:5]
    _, x_train, y_train = read(train_path, True)
    keys, x_score, _ = read(score_path, False)
    model = MODELS[name]()
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    p = model.predict_proba(x_score)[:, 1]
    predict = time.perf_counter() - start
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "score"])
        for k, v in zip(keys, p):
            w.writerow([k, repr(float(v))])
    print(f"sklearn {name}: fit {fit:.3f} s, predict {predict:.3f} s, "
          f"{x_train.shape[0]} x {x_train.shape[1]} training rows", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The comparison of experiments/oulad-models.toml written with pandas + scikit-learn.

Rows, label and features as evalrun's OULAD loader defines them
(docs/oulad-features.md) at day 28: students registered by day 28 and not
unregistered by then, Fail or Withdrawn at risk; assessments due, submitted
and missed, mean and weighted score, submitted weight fraction, late
(non-banked) and banked submissions, registration day, prior attempts and
credits, with evalrun's default missing-value policy (training median and a
`_missing` indicator for every feature missing in a training row) and
one-hot education, IMD band and age band (missing as its own level). Train
on the 2013 presentations, test on 2014. Five models: logistic regression
(C=1, standardized), a random forest (300 trees, min_samples_leaf 5),
HistGradientBoosting (300 iterations, learning rate 0.05), and two grids
chosen by inner temporal validation (encode and fit on 2013B, validate AUC
on 2013J, refit on 2013B+2013J): the forest over min_samples_leaf [5, 10,
20] x max_features [sqrt, 0.3], boosting (no early stopping) over max_iter
[100, 200, 300] x learning_rate [0.05, 0.1] x max_leaf_nodes [15, 31]. Each
model gets a 1000-replicate stratified bootstrap of AUC, average precision
and Brier score and (against lr) the paired bootstrap of each one's
difference, as evalrun's default [metrics] do.

Usage: oulad_models_sklearn.py [--replicates N] OULAD_DIR
(--replicates only to check that the script runs: the comparison uses 1000).
Prints one JSON line with AUCs, intervals and stage timings.
"""
import argparse, itertools, json, sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ap = argparse.ArgumentParser()
ap.add_argument("--replicates", type=int, default=1000)
ap.add_argument("oulad")
args = ap.parse_args()
D, CUT, B = args.oulad, 28, args.replicates
T = {}; t0 = time.perf_counter()
def lap(name):
    global t0
    t = time.perf_counter(); T[name] = round(t - t0, 3); t0 = t

na = ["?", ""]
info = pd.read_csv(f"{D}/studentInfo.csv", na_values=na, keep_default_na=False)
reg = pd.read_csv(f"{D}/studentRegistration.csv", na_values=na)
sa = pd.read_csv(f"{D}/studentAssessment.csv", na_values=na)
asm = pd.read_csv(f"{D}/assessments.csv", na_values=na)
courses = pd.read_csv(f"{D}/courses.csv")
lap("load")
key = ["code_module", "code_presentation", "id_student"]
pres = ["code_module", "code_presentation"]
df = info.merge(reg, on=key, how="left")
df = df[~(df.date_unregistration <= CUT) & ~(df.date_registration > CUT)].copy()
df["y"] = df.final_result.isin(["Fail", "Withdrawn"]).astype(int)
# An assessment without a date (the exams) is due on the presentation's last day.
asm = asm.merge(courses, on=pres)
asm["due"] = asm.date.fillna(asm.module_presentation_length)
due_now = asm[asm.due <= CUT]
due = due_now.groupby(pres).agg(due_by_cutoff=("id_assessment", "size"), due_weight=("weight", "sum")).reset_index()
# A second submission of the same assessment by the same student is ignored.
sa = sa.drop_duplicates(["id_assessment", "id_student"])
sa = sa[sa.date_submitted <= CUT].merge(asm[["id_assessment", "code_module", "code_presentation", "due", "weight"]], on="id_assessment")
sa["scored"] = sa.score.notna()
sa["w_scored"] = np.where(sa.scored & (sa.weight > 0), sa.weight, 0.0)
sa["ws"] = sa.w_scored * sa.score.fillna(0)
sa["late"] = (sa.is_banked == 0) & (sa.date_submitted > sa.due)
sa["due_now"] = sa.due <= CUT
sa["w_due_now"] = np.where(sa.due_now, sa.weight, 0.0)
g = sa.groupby(key)
af = pd.DataFrame({"submitted": g.size(), "mean_score": g.score.mean(),
                   "ws": g.ws.sum(), "w_scored": g.w_scored.sum(),
                   "late_submissions": g.late.sum(), "banked": g.is_banked.sum(),
                   "submitted_due": g.due_now.sum(), "w_submitted_due": g.w_due_now.sum()}).reset_index()
df = df.merge(af, on=key, how="left").merge(due, on=pres, how="left")
zero = ["submitted", "late_submissions", "banked", "submitted_due", "w_submitted_due", "due_by_cutoff", "due_weight", "ws", "w_scored"]
df[zero] = df[zero].fillna(0)
df["missed"] = df.due_by_cutoff - df.submitted_due
df["weighted_score"] = (df.ws / df.w_scored.where(df.w_scored > 0)).astype(float)
df["weight_submitted_fraction"] = df.w_submitted_due / df.due_weight.where(df.due_weight > 0)
num = ["due_by_cutoff", "submitted", "missed", "mean_score", "weighted_score", "weight_submitted_fraction",
       "late_submissions", "banked", "date_registration", "num_of_prev_attempts", "studied_credits"]
cat = ["highest_education", "imd_band", "age_band"]
y = df.y.values
term = df.code_presentation.values.astype(str)
train, test = np.char.startswith(term, "2013"), np.char.startswith(term, "2014")
inner_fit, inner_val = term == "2013B", term == "2013J"

def encode(fit):
    """The feature matrix of every row, with medians, indicators and levels from the rows fit."""
    cols = []
    for c in num:
        v = df[c].astype(float)
        cols.append(v.fillna(v[fit].median()).values)
        if v[fit].isna().any():
            cols.append(v.isna().astype(float).values)
    for c in cat:
        v = df[c].fillna("(missing)")
        for level in sorted(v[fit].unique()):
            cols.append((v == level).astype(float).values)
    return np.column_stack(cols)

X, X_inner = encode(train), encode(inner_fit)
lap("features")

def lr(): return make_pipeline(StandardScaler(), LogisticRegression(C=1.0))
def rf(**k): return RandomForestClassifier(n_estimators=300, n_jobs=2, random_state=1, **k)
def hgb(**k): return HistGradientBoostingClassifier(random_state=1, **k)
grids = {
    "rf-tuned": [dict(min_samples_leaf=m, max_features=f) for m, f in itertools.product([5, 10, 20], ["sqrt", 0.3])],
    "gbm-tuned": [dict(max_iter=i, learning_rate=r, max_leaf_nodes=l, early_stopping=False)
                  for i, r, l in itertools.product([100, 200, 300], [0.05, 0.1], [15, 31])],
}
makers = {"rf-tuned": rf, "gbm-tuned": hgb}
models = {"lr": lr, "rf": lambda: rf(min_samples_leaf=5), "gbm": lambda: hgb(max_iter=300, learning_rate=0.05)}
res = {"n_train": int(train.sum()), "n_test": int(test.sum()), "n_features": X.shape[1]}
preds = {}
for name, make in models.items():
    preds[name] = make().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    lap(f"fit_{name}")
for name, grid in grids.items():
    best = max(grid, key=lambda k: roc_auc_score(y[inner_val], makers[name](**k).fit(X_inner[inner_fit], y[inner_fit]).predict_proba(X_inner[inner_val])[:, 1]))
    res[f"chosen_{name}"] = best
    preds[name] = makers[name](**best).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    lap(f"grid_{name}")

yt = y[test]
rng = np.random.default_rng(7)
pos, neg = np.flatnonzero(yt == 1), np.flatnonzero(yt == 0)
draws = [np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]) for _ in range(B)]
stats = {}
for name, p in preds.items():
    res[f"auc_{name}"] = round(float(roc_auc_score(yt, p)), 4)
    stats[name] = np.array([(roc_auc_score(yt[i], p[i]), average_precision_score(yt[i], p[i]), brier_score_loss(yt[i], p[i])) for i in draws])
    res[f"auc_ci_{name}"] = [round(float(v), 4) for v in np.quantile(stats[name][:, 0], [0.025, 0.975])]
    if name != "lr":
        # The paired differences reuse lr's replicates (same draws).
        d = stats[name] - stats["lr"]
        res[f"auc_diff_ci_{name}"] = [round(float(v), 4) for v in np.quantile(d[:, 0], [0.025, 0.975])]
        res[f"ap_diff_ci_{name}"] = [round(float(v), 4) for v in np.quantile(d[:, 1], [0.025, 0.975])]
        res[f"brier_diff_ci_{name}"] = [round(float(v), 4) for v in np.quantile(d[:, 2], [0.025, 0.975])]
    lap(f"bootstrap_{name}")
res["replicates"] = B
res["timings_s"] = T; res["total_s"] = round(sum(T.values()), 3)
print(json.dumps(res))

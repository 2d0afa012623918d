#!/usr/bin/python3
"""The comparison of experiments/oulad-models.toml written with pandas + scikit-learn.

Features as of day 28 from the OULAD tables (assessments submitted, mean and
weighted score, late and missed submissions, registration date, prior
attempts, credits, one-hot education, IMD band and age band), train on the
2013 presentations and test on 2014 (students still registered at day 28,
Fail or Withdrawn at risk). Five models: logistic regression (C=1,
standardized), a random forest (300 trees, min_samples_leaf 5),
HistGradientBoosting (300 iterations, learning rate 0.05), and two grids
chosen by inner temporal validation (fit on 2013B, validate AUC on 2013J,
refit on 2013B+2013J): the forest over min_samples_leaf [5, 10, 20] x
max_features [sqrt, 0.3], boosting (no early stopping) over max_iter [100,
200, 300] x learning_rate [0.05, 0.1] x max_leaf_nodes [15, 31]. Each model
gets a 1000-replicate stratified bootstrap of AUC, average precision and
Brier score and (against lr) a paired 1000-replicate bootstrap of the AUC
difference, as evalrun's default [metrics] do.

Usage: oulad_models_sklearn.py OULAD_DIR
Prints one JSON line with AUCs, intervals and stage timings.
"""
import itertools, json, sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

D, CUT, B = sys.argv[1], 28, 1000
T = {}; t0 = time.perf_counter()
def lap(name):
    global t0
    t = time.perf_counter(); T[name] = round(t - t0, 3); t0 = t

info = pd.read_csv(f"{D}/studentInfo.csv")
reg = pd.read_csv(f"{D}/studentRegistration.csv")
sa = pd.read_csv(f"{D}/studentAssessment.csv", na_values=["?", ""])
asm = pd.read_csv(f"{D}/assessments.csv", na_values=["?", ""])
lap("load")
key = ["code_module", "code_presentation", "id_student"]
df = info.merge(reg, on=key, how="left")
df = df[~(df.date_unregistration.notna() & (df.date_unregistration <= CUT))].copy()
df["y"] = df.final_result.isin(["Fail", "Withdrawn"]).astype(int)
sa2 = sa.merge(asm[["id_assessment", "code_module", "code_presentation", "date", "weight"]], on="id_assessment")
sa2 = sa2[sa2.date_submitted <= CUT].copy()
sa2["ws"] = sa2.score * sa2.weight
g = sa2.groupby(key)
af = pd.DataFrame({"submitted": g.size(), "mean_score": g.score.mean(),
                   "weighted_score": g.ws.sum() / g.weight.sum().replace(0, np.nan),
                   "late": g.apply(lambda x: (x.date_submitted > x.date).sum()),
                   "banked": g.is_banked.sum()}).reset_index()
df = df.merge(af, on=key, how="left")
due = asm[asm.date <= CUT].groupby(["code_module", "code_presentation"]).agg(due=("id_assessment", "size"), due_weight=("weight", "sum")).reset_index()
df = df.merge(due, on=["code_module", "code_presentation"], how="left")
df[["submitted", "late", "banked", "due", "due_weight"]] = df[["submitted", "late", "banked", "due", "due_weight"]].fillna(0)
df["missed"] = df.due - df.submitted
for c in ["mean_score", "weighted_score", "date_registration"]:
    df[c] = df[c].fillna(df[c].median())
for c in ["highest_education", "imd_band", "age_band"]:
    df[c] = df[c].fillna("missing")
num = ["due", "submitted", "missed", "mean_score", "weighted_score", "late", "banked",
       "date_registration", "num_of_prev_attempts", "studied_credits"]
X = pd.concat([df[num].astype(float), pd.get_dummies(df[["highest_education", "imd_band", "age_band"]], dtype=float)], axis=1).values
y = df.y.values
term = df.code_presentation.values
train, test = np.char.startswith(term.astype(str), "2013"), np.char.startswith(term.astype(str), "2014")
inner_fit, inner_val = term == "2013B", term == "2013J"
lap("features")

def lr(): return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
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
    best = max(grid, key=lambda k: roc_auc_score(y[inner_val], makers[name](**k).fit(X[inner_fit], y[inner_fit]).predict_proba(X[inner_val])[:, 1]))
    res[f"chosen_{name}"] = best
    preds[name] = makers[name](**best).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    lap(f"grid_{name}")

yt = y[test]
rng = np.random.default_rng(7)
pos, neg = np.flatnonzero(yt == 1), np.flatnonzero(yt == 0)
draws = [np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]) for _ in range(B)]
for name, p in preds.items():
    res[f"auc_{name}"] = round(float(roc_auc_score(yt, p)), 4)
    stats = np.array([(roc_auc_score(yt[i], p[i]), average_precision_score(yt[i], p[i]), brier_score_loss(yt[i], p[i])) for i in draws])
    res[f"auc_ci_{name}"] = [round(float(v), 4) for v in np.quantile(stats[:, 0], [0.025, 0.975])]
    if name != "lr":
        d = [roc_auc_score(yt[i], p[i]) - roc_auc_score(yt[i], preds["lr"][i]) for i in draws]
        res[f"auc_diff_ci_{name}"] = [round(float(v), 4) for v in np.quantile(d, [0.025, 0.975])]
    lap(f"bootstrap_{name}")
res["timings_s"] = T; res["total_s"] = round(sum(T.values()), 3)
print(json.dumps(res))

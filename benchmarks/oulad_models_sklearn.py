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

With --same-outputs, each model also gets what evalrun computes by default
beyond those intervals: a 500-replicate stratified bootstrap of the logistic
recalibration (intercept and slope of y on logit(score), refitted per
replicate), a 200-replicate stratified bootstrap ROC band (TPR interpolated on
a 50-point FPR grid) and permutation importance (5 repeats, AUC drop, on at
most 2000 test rows drawn with a fixed seed). TreeSHAP reasons are computed
only if the shap package is importable (Debian has none); otherwise the
output says "reasons": "not computed (no shap)". Not included either way:
the fairness audit and evalrun's calibration-in-the-large fit.

Usage: oulad_models_sklearn.py [--replicates N] [--same-outputs] OULAD_DIR
(--replicates only to check that the script runs: the comparison uses 1000;
it does not change the 500 and 200 replicates of --same-outputs).
Prints one JSON line with AUCs, intervals and stage timings.
"""
import argparse, itertools, json, sys, time
import numpy as np, pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_curve
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ap = argparse.ArgumentParser()
ap.add_argument("--replicates", type=int, default=1000)
ap.add_argument("--same-outputs", action="store_true",
                help="also the calibration bootstrap, ROC band, permutation importance (and TreeSHAP if shap is installed)")
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
preds, fitted = {}, {}
for name, make in models.items():
    fitted[name] = make().fit(X[train], y[train])
    preds[name] = fitted[name].predict_proba(X[test])[:, 1]
    lap(f"fit_{name}")
for name, grid in grids.items():
    best = max(grid, key=lambda k: roc_auc_score(y[inner_val], makers[name](**k).fit(X_inner[inner_fit], y[inner_fit]).predict_proba(X_inner[inner_val])[:, 1]))
    res[f"chosen_{name}"] = best
    fitted[name] = makers[name](**best).fit(X[train], y[train])
    preds[name] = fitted[name].predict_proba(X[test])[:, 1]
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

if args.same_outputs:
    # What evalrun adds by default ([metrics] calibration and curves, [explain]).
    CAL_B, ROC_B, GRID, PERM_REPEATS, PERM_ROWS = 500, 200, np.linspace(0, 1, 50), 5, 2000
    rng2 = np.random.default_rng(11)
    cal_draws = [np.concatenate([rng2.choice(pos, len(pos)), rng2.choice(neg, len(neg))]) for _ in range(CAL_B)]
    roc_draws = [np.concatenate([rng2.choice(pos, len(pos)), rng2.choice(neg, len(neg))]) for _ in range(ROC_B)]
    perm_rows = np.sort(rng2.choice(len(yt), min(PERM_ROWS, len(yt)), replace=False))
    Xt = X[test]
    try:
        import shap  # noqa: F401
        have_shap = True
    except ImportError:
        have_shap = False
    for name, p in preds.items():
        z = np.log(np.clip(p, 1e-15, 1 - 1e-15) / np.clip(1 - p, 1e-15, 1))
        cal = np.array([(lambda m: (m.intercept_[0], m.coef_[0, 0]))(
            LogisticRegression(penalty=None).fit(z[i][:, None], yt[i])) for i in cal_draws])
        res[f"cal_intercept_ci_{name}"] = [round(float(v), 4) for v in np.quantile(cal[:, 0], [0.025, 0.975])]
        res[f"cal_slope_ci_{name}"] = [round(float(v), 4) for v in np.quantile(cal[:, 1], [0.025, 0.975])]
        lap(f"calibration_{name}")
        band = np.array([(lambda f, t: np.interp(GRID, f, t))(*roc_curve(yt[i], p[i])[:2]) for i in roc_draws])
        res[f"roc_band_{name}"] = [[round(float(v), 4) for v in q] for q in np.quantile(band, [0.025, 0.975], axis=0)]
        lap(f"roc_band_{name}")
        pi = permutation_importance(fitted[name], Xt[perm_rows], yt[perm_rows], scoring="roc_auc",
                                    n_repeats=PERM_REPEATS, random_state=7)
        res[f"perm_importance_{name}"] = [round(float(v), 5) for v in pi.importances_mean]
        lap(f"permutation_{name}")
        if have_shap and name != "lr":
            # evalrun: forests explain their 1000 highest-scored test students, boosting every one.
            rows = np.argsort(-p)[:1000] if name.startswith("rf") else np.arange(len(p))
            shap.TreeExplainer(fitted[name]).shap_values(Xt[rows])
            lap(f"treeshap_{name}")
    res["reasons"] = "computed" if have_shap else "not computed (no shap)"
res["timings_s"] = T; res["total_s"] = round(sum(T.values()), 3)
print(json.dumps(res))

#!/usr/bin/env python3
"""Generates reference.json: extra conformance cases for package abtest.

Run with Debian bookworm's python3-scipy 1.10.1, python3-statsmodels 0.13.5
and r-base-core 4.2.2 (apt-get install python3-scipy python3-statsmodels
r-base-core), from this directory:  /usr/bin/python3 gen_reference.py
The cases use the same format and functions as the shared suite
(../../../shared/conformance/README.md), plus a few functions of this
package only (odds_ratio, regression_hc2, noncentral_t_sf, cmh_ci).
"""
import json
import subprocess

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (confint_proportions_2indep,
                                          proportion_confint,
                                          proportions_ztest)

rng = np.random.default_rng(20261123)
cases = []


def add(id_, fn, args, want, tol, note):
    cases.append({"id": id_, "fn": fn, "args": args, "want": want,
                  "tol": tol, "note": note})


def r(expr):
    """Evaluates an R expression printing numbers, returns floats."""
    out = subprocess.run(["Rscript", "-e", "options(digits=17); cat(format(" + expr + ", digits=17), sep='\\n')"],
                         check=True, capture_output=True, text=True).stdout
    return [float(v) for v in out.split()]


def f(x):
    return None if x is None or not np.isfinite(x) else float(x)


# two_proportion / wilson / relative_risk / fisher / chi2 on small and edge counts
for x1, n1, x2, n2, level in [(0, 25, 4, 30, 0.95), (12, 12, 9, 15, 0.9),
                              (3, 17, 11, 19, 0.99), (150, 900, 201, 880, 0.95)]:
    z, p = proportions_ztest([x1, x2], [n1, n2])
    wl, wu = confint_proportions_2indep(x1, n1, x2, n2, method="wald", alpha=1 - level)
    nl, nu = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", alpha=1 - level)
    p1, p2 = x1 / n1, x2 / n2
    add(f"two_proportion/{x1}-{n1}-{x2}-{n2}-{level}", "two_proportion",
        dict(x1=x1, n1=n1, x2=x2, n2=n2, level=level),
        dict(diff=p1 - p2, z=f(z), p_value=f(p), wald_lower=wl, wald_upper=wu,
             newcombe_lower=nl, newcombe_upper=nu,
             cohens_h=2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))),
        1e-9, "statsmodels 0.13.5 proportions_ztest, confint_proportions_2indep; h by its formula")
    for x, n in [(x1, n1), (x2, n2)]:
        lo, hi = proportion_confint(x, n, alpha=1 - level, method="wilson")
        add(f"wilson/{x}-{n}-{level}", "wilson", dict(x=x, n=n, level=level),
            dict(lower=lo, upper=hi), 1e-9, "statsmodels 0.13.5 proportion_confint wilson")
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    odds, pf = stats.fisher_exact(table)
    add(f"fisher_exact/{x1}-{n1}-{x2}-{n2}", "fisher_exact", dict(table=table),
        dict(odds_ratio=f(odds), p_value=pf), 1e-9, "scipy 1.10.1 fisher_exact; infinite odds ratio is undefined (null)")
    for yates in (True, False):
        if 0 in np.array(table).sum(axis=0):
            continue
        c2, pc, dof, _ = stats.chi2_contingency(table, correction=yates)
        add(f"chi2/{x1}-{n1}-{x2}-{n2}-yates{int(yates)}", "chi2_contingency",
            dict(table=table, yates=yates), dict(chi2=c2, dof=dof, p_value=pc), 1e-9,
            "scipy 1.10.1 chi2_contingency")
    if x1 > 0 and x2 > 0:
        rr = p1 / p2
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
        zc = stats.norm.isf((1 - level) / 2)
        add(f"relative_risk/{x1}-{n1}-{x2}-{n2}-{level}", "relative_risk",
            dict(x1=x1, n1=n1, x2=x2, n2=n2, level=level),
            dict(rr=rr, lower=rr * np.exp(-zc * se), upper=rr * np.exp(zc * se), nnt=1 / abs(p1 - p2)),
            1e-9, "log-RR Wald interval by formula with scipy norm.isf")
    if min(x1, n1 - x1, x2, n2 - x2) > 0:
        t22 = Table2x2(np.array(table))
        lo, hi = t22.oddsratio_confint(alpha=1 - level, method="normal")
        add(f"odds_ratio/{x1}-{n1}-{x2}-{n2}-{level}", "odds_ratio",
            dict(x1=x1, n1=n1, x2=x2, n2=n2, level=level),
            dict(estimate=t22.oddsratio, lower=lo, upper=hi), 1e-9,
            "statsmodels 0.13.5 Table2x2.oddsratio_confint(method='normal') (Woolf)")

# a 3x3 and a 2x4 chi-square, and a fisher table where both tails matter
for t in ([[10, 4, 7], [3, 12, 9], [8, 8, 2]], [[5, 9, 14, 2], [11, 3, 8, 9]]):
    c2, pc, dof, _ = stats.chi2_contingency(t)
    add(f"chi2/{len(t)}x{len(t[0])}", "chi2_contingency", dict(table=t, yates=True),
        dict(chi2=c2, dof=dof, p_value=pc), 1e-9, "scipy 1.10.1 chi2_contingency (Yates ignored beyond 1 dof)")
for t in ([[2, 7], [8, 2]], [[1, 9], [11, 3]], [[7, 7], [7, 7]], [[0, 5], [5, 0]]):
    odds, pf = stats.fisher_exact(t)
    add(f"fisher_exact/{t}", "fisher_exact", dict(table=t), dict(odds_ratio=f(odds), p_value=pf),
        1e-9, "scipy 1.10.1 fisher_exact")

# Welch (CI with scipy's t quantile) and Mann-Whitney
for k, (na, nb, shift, ties) in enumerate([(12, 9, 1.2, False), (25, 40, -0.4, True), (7, 5, 0.0, True)]):
    a = np.round(rng.normal(10 + shift, 2.0, na), 1 if not ties else 0)
    b = np.round(rng.normal(10, 3.0, nb), 1 if not ties else 0)
    t = stats.ttest_ind(a, b, equal_var=False)
    # The interval of scipy's convention: diff ± t.ppf(0.975, df)·se, with
    # scipy's DCDFLIB quantile (R's t.test uses the exact quantile; the
    # bounds differ in about the ninth digit).
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    se = np.sqrt(va + vb)
    dfw = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
    q = stats.t.ppf(0.975, dfw)
    lo, hi = a.mean() - b.mean() - q * se, a.mean() - b.mean() + q * se
    sp = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
    add(f"welch/extra{k}", "welch_t", dict(a=a.tolist(), b=b.tolist(), level=0.95),
        dict(diff=a.mean() - b.mean(), t=t.statistic, p_value=t.pvalue, lower=lo, upper=hi,
             cohens_d=(a.mean() - b.mean()) / sp), 1e-9,
        "scipy 1.10.1 ttest_ind(equal_var=False); interval diff ± scipy t.ppf(0.975, df)·se")
    u = stats.mannwhitneyu(a, b, method="asymptotic")
    add(f"mann_whitney/extra{k}", "mann_whitney", dict(a=a.tolist(), b=b.tolist()),
        dict(u=u.statistic, p_value=u.pvalue), 1e-9, "scipy 1.10.1 mannwhitneyu asymptotic")

# SRM
for obs, ratio in [([520, 480], [1, 1]), ([700, 300], [2, 1]), ([100, 130, 90, 0], [1, 1, 1, 0])]:
    keep = [i for i, w in enumerate(ratio) if w > 0]
    o = np.array(obs)[keep]
    w = np.array(ratio, float)[keep]
    c2, p = stats.chisquare(o, o.sum() * w / w.sum())
    add(f"srm/{obs}", "srm", dict(observed=obs, ratio=ratio), dict(chi2=c2, p_value=p), 1e-9,
        "scipy 1.10.1 chisquare against the planned ratio (ratio-0 arms left out)")

# p.adjust from R, including hochberg and ties
pv = [0.01, 0.02, 0.02, 0.04, 0.3, 0.0001, 0.75]
for m in ["holm", "hochberg", "BH", "BY", "bonferroni"]:
    adj = r("p.adjust(c(%s), method='%s')" % (",".join(map(str, pv)), m))
    add(f"p_adjust/ties-{m}", "p_adjust", dict(p_values=pv, method=m), dict(adjusted=adj), 1e-12,
        "R 4.2.2 p.adjust")

# power.prop.test / power.t.test (n solved with uniroot tol=1e-12; power given n)
for p1, p2, alpha, power in [(0.255, 0.30, 0.05, 0.8), (0.10, 0.20, 0.01, 0.9)]:
    n = r(f"uniroot(function(n) power.prop.test(n=n, p1={p1}, p2={p2}, sig.level={alpha})$power - {power}, c(2, 1e7), tol=1e-12)$root")[0]
    add(f"power_prop/n-{p1}-{p2}-{alpha}", "power_two_proportions", dict(p1=p1, p2=p2, alpha=alpha, power=power),
        dict(n=n), 1e-8, "R 4.2.2 power.prop.test, root solved to tol 1e-12")
    pw = r(f"power.prop.test(n=321, p1={p1}, p2={p2}, sig.level={alpha})$power")[0]
    add(f"power_prop/power-{p1}-{p2}-{alpha}", "power_two_proportions", dict(p1=p1, p2=p2, alpha=alpha, n=321),
        dict(power=pw), 1e-9, "R 4.2.2 power.prop.test")
for delta, sd, alpha, power in [(0.5, 1, 0.05, 0.8), (2, 7.5, 0.01, 0.95), (1.5, 1, 0.05, 0.8)]:
    n = r(f"uniroot(function(n) power.t.test(n=n, delta={delta}, sd={sd}, sig.level={alpha})$power - {power}, c(2, 1e7), tol=1e-12)$root")[0]
    add(f"power_t/n-{delta}-{sd}-{alpha}", "power_t", dict(delta=delta, sd=sd, alpha=alpha, power=power),
        dict(n=n), 1e-8, "R 4.2.2 power.t.test, root solved to tol 1e-12")
    pw = r(f"power.t.test(n=17.5, delta={delta}, sd={sd}, sig.level={alpha})$power")[0]
    add(f"power_t/power-{delta}-{sd}-{alpha}", "power_t", dict(delta=delta, sd=sd, alpha=alpha, n=17.5),
        dict(power=pw), 1e-9, "R 4.2.2 power.t.test")

# noncentral t upper tail (R pt, AS 243)
for tq, nu, ncp in [(1.96, 242, 3.2), (2.5, 10.5, 1), (1.0, 3.3, -0.5), (4, 100, 5), (0.5, 2.2, 0.3), (3.1, 40.7, 1.9)]:
    add(f"noncentral_t_sf/{tq}-{nu}-{ncp}", "noncentral_t_sf", dict(t=tq, df=nu, ncp=ncp),
        dict(p=r(f"pt({tq}, {nu}, ncp={ncp}, lower.tail=FALSE)")[0]), 1e-10, "R 4.2.2 pt(lower.tail=FALSE)")

# CMH with interval (R mantelhaen.test)
for k, strata in enumerate([[[[5, 15], [9, 11]], [[20, 30], [26, 24]], [[3, 2], [4, 1]], [[40, 60], [55, 45]]],
                            [[[1, 9], [3, 7]], [[2, 8], [2, 8]]]]):
    arr = np.array(strata).transpose(1, 2, 0).ravel(order="F").tolist()
    for correct in (True, False):
        expr = "unlist(mantelhaen.test(array(c(%s), dim=c(2,2,%d)), correct=%s)[c('statistic','p.value','estimate','conf.int')])" % (
            ",".join(map(str, arr)), len(strata), "TRUE" if correct else "FALSE")
        st, p, est, lo, hi = r(expr)
        add(f"cmh/extra{k}-correct{int(correct)}", "cmh", dict(strata=strata, correct=correct),
            dict(statistic=st, p_value=p, common_odds_ratio=est, lower=lo, upper=hi), 1e-9,
            "R 4.2.2 mantelhaen.test; interval Robins-Breslow-Greenland")

# CUPED by its definition with numpy/scipy
n = 300
x = rng.normal(50, 10, n)
tr = (rng.random(n) < 0.4).astype(int)
y = 5 + 0.6 * x + 1.5 * tr + rng.normal(0, 6, n)
x, y = np.round(x, 2), np.round(y, 2)
theta = np.cov(x, y, ddof=1)[0, 1] / x.var(ddof=1)
ya = y - theta * (x - x.mean())
w = stats.ttest_ind(ya[tr == 1], ya[tr == 0], equal_var=False)
se = (ya[tr == 1].mean() - ya[tr == 0].mean()) / w.statistic
w0 = stats.ttest_ind(y[tr == 1], y[tr == 0], equal_var=False)
se0 = (y[tr == 1].mean() - y[tr == 0].mean()) / w0.statistic
add("cuped/extra", "cuped", dict(y=y.tolist(), x=x.tolist(), treatment=tr.tolist()),
    dict(theta=theta, effect=ya[tr == 1].mean() - ya[tr == 0].mean(), se=se, t=w.statistic, p_value=w.pvalue,
         variance_reduction=1 - se**2 / se0**2), 1e-8, "definition in README with numpy/scipy 1.10.1")

# cluster-robust (statsmodels) with unequal clusters, and HC2 regression adjustment
g = 24
sizes = rng.integers(5, 30, g)
cl = np.repeat(np.arange(g), sizes)
armc = rng.permutation(np.r_[np.ones(g // 2), np.zeros(g - g // 2)]).astype(int)
trc = armc[cl]
u = rng.normal(0, 0.4, g)[cl]
yc = np.round(1 + 0.3 * trc + u + rng.normal(0, 1, len(cl)), 3)
X = sm.add_constant(trc.astype(float))
fit = sm.OLS(yc, X).fit(cov_type="cluster", cov_kwds={"groups": cl}, use_t=True)
grand = yc.mean()
means = np.array([yc[cl == k].mean() for k in range(g)])
ssb = (sizes * (means - grand) ** 2).sum()
ssw = sum(((yc[cl == k] - means[k]) ** 2).sum() for k in range(g))
N = len(yc)
msb, msw = ssb / (g - 1), ssw / (N - g)
n0 = (N - (sizes ** 2).sum() / N) / (g - 1)
icc = (msb - msw) / (msb + (n0 - 1) * msw)
add("cluster_robust/G24", "cluster_robust", dict(y=yc.tolist(), treatment=trc.tolist(), cluster=cl.tolist()),
    dict(effect=fit.params[1], se=fit.bse[1], t=fit.tvalues[1], df=g - 1, p_value=fit.pvalues[1], icc=icc,
         design_effect=1 + (N / g - 1) * icc), 1e-8,
    "statsmodels 0.13.5 OLS cov_type='cluster' use_t=True; ICC one-way ANOVA with n0 by numpy")

n = 150
z1 = np.round(rng.normal(0, 1, n), 3)
z2 = np.round(rng.uniform(0, 5, n), 3)
trh = (rng.random(n) < 0.5).astype(int)
yh = np.round(2 + 0.8 * trh + 1.1 * z1 - 0.3 * z2 + rng.normal(0, 1 + 0.5 * trh, n), 3)
X = sm.add_constant(np.column_stack([trh, z1, z2]).astype(float))
fit = sm.OLS(yh, X).fit(cov_type="HC2", use_t=True)
ci = fit.conf_int(alpha=0.05)
add("regression_hc2/n150", "regression_hc2", dict(y=yh.tolist(), treatment=trh.tolist(), covariates=[z1.tolist(), z2.tolist()]),
    dict(effect=fit.params[1], se=fit.bse[1], t=fit.tvalues[1], p_value=fit.pvalues[1], lower=ci[1, 0], upper=ci[1, 1]),
    1e-8, "statsmodels 0.13.5 OLS cov_type='HC2' use_t=True (t on N-K df)")

# CR1 regression with covariates (cluster-randomized, adjusted)
gq = 30
sizes = rng.integers(6, 25, gq)
clq = np.repeat(np.arange(gq), sizes)
armq = rng.permutation(np.r_[np.ones(gq // 2), np.zeros(gq - gq // 2)]).astype(int)[clq]
zq = np.round(rng.normal(0, 1, len(clq)), 3)
yq = np.round(0.5 + 0.4 * armq + 0.8 * zq + rng.normal(0, 0.5, gq)[clq] + rng.normal(0, 1, len(clq)), 3)
X = sm.add_constant(np.column_stack([armq, zq]).astype(float))
fit = sm.OLS(yq, X).fit(cov_type="cluster", cov_kwds={"groups": clq}, use_t=True)
ci = fit.conf_int(alpha=0.05)
add("regression_cr1/G30", "regression_hc2",
    dict(y=yq.tolist(), treatment=armq.tolist(), covariates=[zq.tolist()], cluster=[str(c) for c in clq]),
    dict(effect=fit.params[1], se=fit.bse[1], t=fit.tvalues[1], p_value=fit.pvalues[1], lower=ci[1, 0], upper=ci[1, 1]),
    1e-8, "statsmodels 0.13.5 OLS cov_type='cluster' use_t=True (CR1, t on G-1 df) with a covariate")

# subgroup effects: y ~ level dummies + treatment x level dummies (no
# intercept), interaction = equal treatment coefficients across levels
def subgroup_case(id_, y, tr, groups, scale, clusters=None):
    levels = sorted(set(groups))
    L = len(levels)
    X = np.zeros((len(y), 2 * L))
    for i, g in enumerate(groups):
        k = levels.index(g)
        X[i, k] = 1
        X[i, L + k] = tr[i]
    if clusters is not None:
        kw = dict(cov_type="cluster", cov_kwds={"groups": np.array(clusters)})
    elif scale == "difference":
        kw = dict(cov_type="HC2")
    else:
        kw = {}
    if scale == "difference":
        fit = sm.OLS(y, X).fit(use_t=True, **kw)
    else:
        fit = sm.Logit(y, X).fit(disp=0, tol=1e-12, maxiter=200, **kw)
    C = np.zeros((L - 1, 2 * L))
    for k in range(1, L):
        C[k - 1, L] = -1
        C[k - 1, L + k] = 1
    w = fit.wald_test(C, use_f=(scale == "difference"), scalar=True)
    stat = float(np.squeeze(w.statistic))
    if scale == "difference":
        stat *= (L - 1)  # statsmodels reports F = W/q
    want = dict(interaction_stat=stat, interaction_p=float(w.pvalue), interaction_df=L - 1)
    for k, g in enumerate(levels):
        want["effect_" + g] = fit.params[L + k]
        want["se_" + g] = fit.bse[L + k]
        want["p_" + g] = fit.pvalues[L + k]
    args = dict(y=y.tolist(), treatment=tr.tolist(), groups=groups, scale=scale)
    cov = "HC2"
    if clusters is not None:
        args["cluster"] = [str(c) for c in clusters]
        cov = "cluster"
    add(id_, "subgroup", args, want, 1e-8,
        "statsmodels 0.13.5 " + (f"OLS cov_type='{cov}' use_t=True, wald_test use_f" if scale == "difference"
                                  else f"Logit{' cov_type=cluster' if clusters is not None else ''}, wald_test chi2")
        + "; model y ~ 0 + level + treatment:level")


n = 400
grp = rng.choice(["first-gen", "continuing"], n, p=[0.35, 0.65]).tolist()
trs = (rng.random(n) < 0.5).astype(int)
base = np.where(np.array(grp) == "first-gen", 0.35, 0.22)
eff = np.where(np.array(grp) == "first-gen", -0.12, -0.03)
yb = (rng.random(n) < base + eff * trs).astype(float)
subgroup_case("subgroup/binary-difference", yb, trs, grp, "difference")
subgroup_case("subgroup/binary-logodds", yb, trs, grp, "log-odds")
grp3 = rng.choice(["a", "b", "c"], n).tolist()
yc3 = np.round(rng.normal(60, 12, n) + 4 * trs * (np.array(grp3) == "c"), 1)
subgroup_case("subgroup/3-levels-difference", yc3, trs, grp3, "difference")
# cluster-randomized: 40 sections, arm by section
sec = rng.integers(0, 40, n)
trc2 = (sec < 20).astype(int)
ycl = (rng.random(n) < base + eff * trc2 + 0.05 * (sec % 3 == 0)).astype(float)
subgroup_case("subgroup/clustered-difference", ycl, trc2, grp, "difference", sec.tolist())
subgroup_case("subgroup/clustered-logodds", ycl, trc2, grp, "log-odds", sec.tolist())

with open("reference.json", "w") as fh:
    json.dump({"suite": "abtest-extra",
               "generator": "gen_reference.py: scipy 1.10.1, statsmodels 0.13.5, R 4.2.2",
               "cases": cases}, fh, indent=1)
print(len(cases), "cases")

"""Generates scipy_lbfgsb.json: scipy 1.10.1's L-BFGS-B on small unbounded
problems, for models.TestMinimizeLBFGSBMatchesScipy (the optimizer alone,
apart from logistic regression).

Run with Debian bookworm's python3-scipy (scipy 1.10.1, numpy 1.24.2):
    /usr/bin/python3 models/testdata/gen_scipy_lbfgsb.py > models/testdata/scipy_lbfgsb.json

The objectives are written out in scalar loops so the Go test can evaluate
them with the same arithmetic: "rosenbrock" is the extended Rosenbrock
function sum 100(x[i+1] - x[i]^2)^2 + (1 - x[i])^2; "wrong_gradient" is
x'x with the gradient's sign flipped, so no step decreases the function and
the line search gives up at a tiny step (its rounding warning, which
L-BFGS-B accepts as the next iterate); "linear" is -1e6·x, unbounded below,
so the line search extrapolates from step 1e-6 and runs out of trial steps
(scipy's ABNORMAL_TERMINATION_IN_LNSRCH after 20); "rosenbrock_flipped"
flips the gradient's sign once x[0] > 0.5, so a line search fails with a
full memory (L-BFGS-B refreshes the memory and restarts from steepest
descent, which fails too: abnormal termination); "rosenbrock_scaled"
multiplies the gradient by 100 once x[0] > 0.9 (long line searches). The installed scipy
1.10.1 stops a line search after 20 trial steps whatever maxls says (checked
with maxls 5, 20 and 50 on "linear"); scikit-learn 1.2.1 keeps the default
maxls 20.
"""
import json
import sys

import numpy as np
from scipy.optimize import minimize


def rosenbrock(x):
    f = 0.0
    g = np.zeros_like(x)
    for i in range(len(x) - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        f += 100.0 * a * a + b * b
        g[i] += -400.0 * x[i] * a - 2.0 * b
        g[i + 1] += 200.0 * a
    return f, g


def wrong_gradient(x):
    f = 0.0
    for v in x:
        f += v * v
    return f, -2.0 * x


def rosenbrock_flipped(x):
    f, g = rosenbrock(x)
    return f, -g if x[0] > 0.5 else g


def rosenbrock_scaled(x):
    f, g = rosenbrock(x)
    return f, 100.0 * g if x[0] > 0.9 else g


def linear(x):
    return -1e6 * x[0], np.array([-1e6])


start6 = [-1.2, 1.0, -0.5, 0.8, 1.5, -1.0]
specs = [
    ("rosenbrock-2", "rosenbrock", [-1.2, 1.0], {}),
    ("rosenbrock-6", "rosenbrock", start6, {}),
    ("rosenbrock-6-m3-maxiter15", "rosenbrock", start6, {"maxcor": 3, "maxiter": 15}),
    ("rosenbrock-4-m2", "rosenbrock", start6[:4], {"maxcor": 2}),
    ("rosenbrock-3-m1", "rosenbrock", [0.5, 0.5, 0.5], {"maxcor": 1}),
    ("rosenbrock-10-gtol1e-8-ftol0", "rosenbrock", list(np.linspace(-1, 1.5, 10)), {"gtol": 1e-8, "ftol": 0.0}),
    ("rosenbrock-6-maxfun30", "rosenbrock", start6, {"maxfun": 30}),
    ("wrong-gradient", "wrong_gradient", [1.0, -2.0], {}),
    ("linear", "linear", [0.0], {}),
    ("rosenbrock-4-flipped", "rosenbrock_flipped", start6[:4], {}),
    ("rosenbrock-4-scaled", "rosenbrock_scaled", start6[:4], {}),
]
funcs = {"rosenbrock": rosenbrock, "wrong_gradient": wrong_gradient, "linear": linear,
         "rosenbrock_flipped": rosenbrock_flipped, "rosenbrock_scaled": rosenbrock_scaled}
cases = []
for cid, fn, x0, opts in specs:
    r = minimize(funcs[fn], np.array(x0, dtype=float), jac=True, method="L-BFGS-B", options=opts)
    cases.append({"id": cid, "fn": fn, "x0": x0, "options": opts, "x": r.x.tolist(),
                  "nit": int(r.nit), "nfev": int(r.nfev), "status": int(r.status), "message": r.message})
json.dump({"generator": "scipy 1.10.1 scipy.optimize.minimize(method='L-BFGS-B', jac=True); models/testdata/gen_scipy_lbfgsb.py",
           "cases": cases}, sys.stdout, indent=1)

#!/usr/bin/env python3
"""The python side of solver-comparison.ts: pyamg's smoothed-aggregation AMG-CG
and scipy's Jacobi-CG on a matrix spinefea exported.

Usage: python3 pyamg_solve.py <header.json>

The header names (relative to itself) the matrix (spinefea's writeCsrBinary:
raw little-endian rowptr <u4, colidx <u4, values <f8), the right-hand side
(float64[n]) and the near-null space (float64[n*6], row-major: the six
rigid-body modes restricted to the free DOFs, the same array spinefea's AMG
uses), the tolerance, and the iteration cap of the Jacobi-CG per-iteration
measurement.

pyamg: smoothed_aggregation_solver(A, B=B) with its defaults otherwise
(symmetric strength, standard aggregation, Jacobi prolongator smoothing,
symmetric block Gauss-Seidel pre/post smoothing, V-cycle), then
ml.solve(b, tol, accel='cg') — pyamg's tol is on ||r||/||b||, the same
criterion as spinefea's PCG. scipy: cg with a Jacobi LinearOperator for at
most `jacobi_cap` iterations (per-iteration time only), and A @ x alone
(best of 10). Wall and process CPU time for every phase. Prints one JSON
object; exits 3 (with a message) when pyamg is missing.
"""
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

try:
    import pyamg
except ImportError as e:  # the caller skips the pyamg columns with this message
    print(f"pyamg is not installed ({e}); pip install pyamg", file=sys.stderr)
    sys.exit(3)


def clock():
    return time.perf_counter(), time.process_time()


def since(t):
    w, c = clock()
    return (w - t[0]) * 1e3, (c - t[1]) * 1e3


def main() -> None:
    header_path = sys.argv[1]
    base = os.path.dirname(os.path.abspath(header_path))
    with open(header_path, encoding="utf-8") as f:
        h = json.load(f)
    with open(os.path.join(base, h["matrix"]), encoding="utf-8") as f:
        mh = json.load(f)
    n = int(mh["rows"])
    indptr = np.fromfile(os.path.join(base, mh["rowPtr"]["file"]), dtype="<u4").astype(np.int32)
    indices = np.fromfile(os.path.join(base, mh["colIdx"]["file"]), dtype="<u4").astype(np.int32)
    data = np.fromfile(os.path.join(base, mh["values"]["file"]), dtype="<f8")
    b = np.fromfile(os.path.join(base, h["rhs"]), dtype="<f8")
    B = np.fromfile(os.path.join(base, h["nullspace"]), dtype="<f8").reshape(n, 6)
    A = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    tol = float(h["tol"])
    out = {"n": n, "nnz": int(A.nnz), "versions": {"pyamg": pyamg.__version__, "scipy": scipy.__version__, "numpy": np.__version__}}

    t = clock()
    ml = pyamg.smoothed_aggregation_solver(A, B=B)
    out["pyamgSetupMs"], out["pyamgSetupCpuMs"] = since(t)
    out["pyamgLevels"] = [int(lvl.A.shape[0]) for lvl in ml.levels]
    out["pyamgOperatorComplexity"] = float(ml.operator_complexity())
    res = []
    t = clock()
    x = ml.solve(b, tol=tol, accel="cg", maxiter=1000, residuals=res)
    out["pyamgSolveMs"], out["pyamgSolveCpuMs"] = since(t)
    out["pyamgIterations"] = len(res) - 1
    out["pyamgTrueRelResidual"] = float(np.linalg.norm(b - A @ x) / np.linalg.norm(b))

    # scipy Jacobi-CG per iteration, capped
    inv_diag = 1.0 / A.diagonal()
    M = spla.LinearOperator((n, n), matvec=lambda r: inv_diag * r, dtype=np.float64)
    its = [0]

    def count(_):
        its[0] += 1

    cap = int(h["jacobi_cap"])
    t = clock()
    spla.cg(A, b, rtol=1e-30, maxiter=cap, M=M, callback=count)
    w, c = since(t)
    out["scipyJacobiIterations"] = its[0]
    out["scipyJacobiMsPerIt"], out["scipyJacobiCpuMsPerIt"] = w / its[0], c / its[0]

    xr = np.random.default_rng(1).standard_normal(n)
    A @ xr
    best = (float("inf"), float("inf"))
    for _ in range(10):
        t = clock()
        A @ xr
        best = min(best, since(t))
    out["scipySpmvMs"], out["scipySpmvCpuMs"] = best
    print(json.dumps(out))


if __name__ == "__main__":
    main()

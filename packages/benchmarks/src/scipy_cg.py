#!/usr/bin/env python3
"""Reference timing of scipy's Jacobi-preconditioned CG on a matrix exported by pcg-vs-scipy.ts.

Usage: python3 scipy_cg.py <header.json>

The header (written by pcg-vs-scipy.ts) gives n, nnz, rtol, maxiter,
spmv_repeats and names, relative to itself:
  matrix  the JSON header of spinefea's writeCsrBinary (format
          'spinefea-csr-v1': raw little-endian rowptr <u4, colidx <u4 sorted
          within a row, values <f8 in N/mm)
  rhs     float64[n] right-hand side, N, little-endian

The matrix becomes a scipy.sparse.csr_matrix with int32 indices (a view of
the uint32 data: valid because nnz < 2^31), M is the Jacobi preconditioner
z = D^-1 r as a LinearOperator, and scipy.sparse.linalg.cg runs to rtol
(scipy stops when ||r_k|| < rtol * ||b|| on its recursive residual, the
same criterion as spinefea's pcg). Only the cg call is timed; iterations are
counted with the callback; both wall and process CPU time are reported.
A is passed to cg as a LinearOperator whose matvec is A @ v with a timer
around it (what cg's own aslinearoperator wrapper does, plus two clock
reads), so the SpMV share of the iteration is measured inside the solve. SpMV (A @ x) is timed on its own (best of
spmv_repeats after one warm-up). Prints one JSON object on stdout.
"""
import json
import os
import platform
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python3 scipy_cg.py <header.json>")
    header_path = sys.argv[1]
    with open(header_path, encoding="utf-8") as f:
        h = json.load(f)
    base = os.path.dirname(os.path.abspath(header_path))
    n, nnz = int(h["n"]), int(h["nnz"])
    if nnz >= 2**31:
        sys.exit(f"nnz = {nnz} does not fit int32 indices")
    with open(os.path.join(base, h["matrix"]), encoding="utf-8") as f:
        mh = json.load(f)
    if mh.get("format") != "spinefea-csr-v1" or mh.get("byteOrder") != "little":
        sys.exit(f"unexpected matrix header: {mh}")
    if mh["rows"] != n or mh["cols"] != n or mh["nnz"] != nnz:
        sys.exit(f"matrix header {mh['rows']}x{mh['cols']} nnz {mh['nnz']} does not match n={n} nnz={nnz}")

    t0 = time.perf_counter()
    indptr = np.fromfile(os.path.join(base, mh["rowPtr"]["file"]), dtype=mh["rowPtr"]["dtype"]).view(np.int32)
    indices = np.fromfile(os.path.join(base, mh["colIdx"]["file"]), dtype=mh["colIdx"]["dtype"]).view(np.int32)
    data = np.fromfile(os.path.join(base, mh["values"]["file"]), dtype=mh["values"]["dtype"])
    b = np.fromfile(os.path.join(base, h["rhs"]), dtype="<f8")
    if indptr.size != n + 1 or indices.size != nnz or data.size != nnz or b.size != n:
        sys.exit(
            f"file sizes do not match the header: indptr {indptr.size} (want {n + 1}), "
            f"indices {indices.size}, data {data.size} (want {nnz}), rhs {b.size} (want {n})"
        )
    # Sorted, duplicate-free indices are guaranteed by the exporter; telling
    # scipy avoids a canonicalisation pass (and a copy) at construction.
    A = sp.csr_matrix((data, indices, indptr), shape=(n, n), copy=False)
    A.has_sorted_indices = True
    A.has_canonical_format = True
    load_s = time.perf_counter() - t0

    diag = A.diagonal()
    if np.any(diag <= 0):
        sys.exit(f"non-positive diagonal entry at row {int(np.argmin(diag))}")
    inv_diag = 1.0 / diag
    M = spla.LinearOperator((n, n), matvec=lambda r: inv_diag * r, dtype=np.float64)

    # SpMV alone: y = A @ x, one warm-up then the best of spmv_repeats.
    x = np.random.default_rng(1).standard_normal(n)
    A @ x
    reps = int(h.get("spmv_repeats", 5))
    spmv = []
    for _ in range(reps):
        t = time.perf_counter()
        A @ x
        spmv.append(time.perf_counter() - t)

    # Jacobi preconditioner application alone (one vector multiply).
    tp = time.perf_counter()
    for _ in range(reps):
        M.matvec(x)
    precond_ms = (time.perf_counter() - tp) / reps * 1e3

    iterations = 0
    spmv_in_cg = 0.0
    spmv_in_cg_cpu = 0.0

    def count(_xk: np.ndarray) -> None:
        nonlocal iterations
        iterations += 1

    def timed_matvec(v: np.ndarray) -> np.ndarray:
        # the same A @ v that cg does for a sparse matrix, with its time summed
        nonlocal spmv_in_cg, spmv_in_cg_cpu
        c = time.process_time()
        t = time.perf_counter()
        y = A @ v
        spmv_in_cg += time.perf_counter() - t
        spmv_in_cg_cpu += time.process_time() - c
        return y

    A_timed = spla.LinearOperator((n, n), matvec=timed_matvec, dtype=np.float64)

    maxiter = int(h.get("maxiter", 10 * n))
    t = time.perf_counter()
    c = time.process_time()
    sol, info = spla.cg(A_timed, b, rtol=float(h["rtol"]), atol=0.0, maxiter=maxiter, M=M, callback=count)
    cg_cpu_s = time.process_time() - c
    cg_s = time.perf_counter() - t
    true_rel = float(np.linalg.norm(b - A @ sol) / np.linalg.norm(b))

    print(
        json.dumps(
            {
                "n": n,
                "nnz": nnz,
                "iterations": iterations,
                "info": int(info),
                "converged": info == 0,
                "total_ms": cg_s * 1e3,
                "ms_per_iteration": cg_s * 1e3 / max(iterations, 1),
                # process CPU time (all threads): robust to time-slicing on a busy machine
                "cpu_ms_per_iteration": cg_cpu_s * 1e3 / max(iterations, 1),
                "spmv_in_cg_ms_per_iteration": spmv_in_cg * 1e3 / max(iterations, 1),
                "spmv_in_cg_cpu_ms_per_iteration": spmv_in_cg_cpu * 1e3 / max(iterations, 1),
                "spmv_ms_min": min(spmv) * 1e3,
                "spmv_ms_median": float(np.median(spmv)) * 1e3,
                "precond_ms": precond_ms,
                "true_relative_residual": true_rel,
                "load_s": load_s,
                "solution_norm": float(np.linalg.norm(sol)),
                "versions": {
                    "python": platform.python_version(),
                    "numpy": np.__version__,
                    "scipy": scipy.__version__,
                },
            }
        )
    )


if __name__ == "__main__":
    main()

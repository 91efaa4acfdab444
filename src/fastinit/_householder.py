"""Householder QR whose bits do not depend on the CPU.

:func:`numpy.linalg.qr` calls LAPACK, and OpenBLAS picks its kernels by CPU
(Haswell, SkylakeX, Zen, Neoverse, ...): each sums its dot products in its own
order, with or without FMA, so the same matrix gives a ``Q`` that differs in the
last bits from one machine to the next. This module computes the thin ``Q`` and
``diag(R)`` with the LAPACK algorithm (``dgeqr2`` then ``dorg2r``: one
Householder reflection per column, applied to the trailing columns, then
accumulated backwards into ``Q``) written in NumPy operations whose results are
fixed by IEEE 754 and by NumPy's own source, never by the CPU:

* ``+ - * /`` and :func:`numpy.sqrt`, elementwise: IEEE 754 rounds each result
  correctly, so the SIMD width NumPy dispatches to (SSE, AVX2, AVX-512, NEON)
  changes how many lanes run at once, not any lane's result. Each ufunc call
  rounds once; NumPy never fuses a multiply and an add of two calls into an FMA.
* :func:`numpy.ldexp`, :func:`numpy.frexp`, :func:`numpy.abs`,
  :func:`numpy.copysign`: exact (powers of two and sign bits).
* the scalars (``tau``, ``beta``) are Python floats: C doubles, one IEEE
  rounding per operation, nothing to contract into an FMA.
* :func:`numpy.maximum.reduce`: the maximum does not depend on the order.
* sums, ``np.add.reduce`` of a C-contiguous float64 array along its last axis,
  1-D or 2-D: each row goes through ``DOUBLE_pairwise_sum``
  (``numpy/_core/src/umath/loops_utils.h.src``), plain C with a fixed
  order -- fewer than 8 items one after the other; up to 128 in 8 interleaved
  partial sums combined as ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))``, then the
  rest; longer rows split at ``n/2`` rounded down to a multiple of 8 and both
  halves summed the same way. The float add loop
  (``loops_arithm_fp.dispatch.cpp.src``) hands every reducing inner loop
  there, whatever SIMD target was dispatched; the unrolled accumulators may be
  vectorized without changing the order. The iterator makes the contiguous
  reduced axis the inner loop (also with more rows than columns), and no
  buffering splits a row when no cast is needed (checked for rows up to 20000
  items, also with other ``np.setbufsize``).
  ``tests/test_initializers.py`` checks these sums against a pure-Python
  replica of that order.

Nothing here calls BLAS or LAPACK: no ``@``, :func:`numpy.dot`,
:func:`numpy.matmul`, :func:`numpy.einsum`, :func:`numpy.inner`,
:func:`numpy.tensordot` or :mod:`numpy.linalg`. The working matrices are kept
transposed (one row per column of ``a``) so that every dot product is a sum
along a contiguous last axis.

What this does not cover: the bits still depend on NumPy keeping that
summation order (it has since 1.9) and on the matrix passed in.
"""

import numpy as np

from ._fixed_order import norm

__all__ = ["householder_qr", "diagonal_signs"]


def householder_qr(a):
    """The thin QR decomposition of a tall matrix, the same bits on every CPU.

    Parameters
    ----------
    a : array_like, shape (n, k), n >= k
        Finite real numbers; computed in float64.

    Returns
    -------
    q : ndarray, shape (n, k), C-contiguous float64
        Orthonormal columns, ``a = q @ r`` for an upper-triangular ``r``.
    r_diagonal : ndarray, shape (k,)
        The diagonal of ``r``. As LAPACK's, its signs are whatever the
        reflections give; a column with nothing left to reflect (all zero
        below the diagonal after the earlier reflections) keeps its diagonal
        entry, which is 0 for a column of zeros.

    Raises
    ------
    ValueError
        If ``a`` is not 2-D, is wider than tall, or holds NaN or infinity.

    Notes
    -----
    With ``Q`` and ``R`` unique up to the signs of ``diag(R)``, ``q`` agrees
    with :func:`numpy.linalg.qr`'s to rounding (about ``1e-15`` times the
    condition number of ``a``), ``r_diagonal`` likewise.
    """
    columns = _transposed_float64(a)
    k, n = columns.shape
    taus = np.empty(k)
    r_diagonal = np.empty(k)
    for j in range(k):
        taus[j], r_diagonal[j] = _reflector_in_place(columns[j, j:])
        _reflect_rows(columns[j + 1:, j:], columns[j, j:], taus[j])
    return np.ascontiguousarray(_accumulate_q(columns, taus).T), r_diagonal


def diagonal_signs(r_diagonal):
    """``sign(diag(R))`` with 0 counted as +1, so ``q * diagonal_signs(d)`` keeps
    every column of ``q`` (the product is exact: each factor is +1 or -1).

    Parameters
    ----------
    r_diagonal : ndarray, shape (k,)

    Returns
    -------
    ndarray, shape (k,), float64 of +1.0 and -1.0
    """
    return np.where(np.asarray(r_diagonal) < 0, -1.0, 1.0)


def _transposed_float64(a):
    """``a.T`` as a new C-contiguous float64 array, after checking ``a``."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"householder_qr needs a 2-D matrix, got shape {a.shape}")
    n, k = a.shape
    if n < k:
        raise ValueError(f"householder_qr needs a tall matrix (n >= k), got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("householder_qr needs finite values")
    return np.array(a.T, order="C")


def _reflector_in_place(x):
    """The reflection ``H = I - tau v v^T`` with ``H x = beta e_1``, LAPACK's
    ``dlarfg``; ``x`` is overwritten with ``v`` (``v[0] = 1``).

    Parameters
    ----------
    x : ndarray, shape (m,)
        A row of the working matrix.

    Returns
    -------
    tau : float
        In [1, 2], or 0 when ``x[1:]`` is zero: then ``H = I`` and ``beta = x[0]``
        (no division by a zero norm, so no NaN for a zero column).
    beta : float
        ``-sign(x[0]) * ||x||``, the diagonal entry of ``R``.
    """
    alpha = float(x[0])
    if not x[1:].any():
        x[0] = 1.0
        return 0.0, alpha
    beta = -float(np.copysign(norm(x), alpha))
    x[1:] /= alpha - beta
    x[0] = 1.0
    return (beta - alpha) / beta, beta


def _reflect_rows(rows, vector, tau):
    """Apply ``H = I - tau v v^T`` to each row of ``rows`` in place:
    ``row -= (tau * (row . v)) * v``, as LAPACK's ``dlarf`` (``w = C^T v``, then
    ``C += (-tau w) v^T``), with the dot products summed pairwise.

    Parameters
    ----------
    rows : ndarray, shape (m, p)
        A view into the working matrix; rows contiguous.
    vector : ndarray, shape (p,)
    tau : float
    """
    if tau == 0.0 or rows.shape[0] == 0:
        return
    products = rows * vector
    scaled_dots = tau * np.add.reduce(products, axis=1)
    np.multiply.outer(scaled_dots, vector, out=products)
    rows -= products


def _accumulate_q(reflectors, taus):
    """``Q^T`` of ``Q = H_0 H_1 ... H_{k-1} I[:, :k]``, as LAPACK's ``dorg2r``: from
    the last reflection back, each touching only the block it can change.

    Parameters
    ----------
    reflectors : ndarray, shape (k, n)
        ``v_j`` in ``reflectors[j, j:]``.
    taus : ndarray, shape (k,)

    Returns
    -------
    ndarray, shape (k, n)
        Row ``j`` is column ``j`` of ``Q``.
    """
    k, n = reflectors.shape
    q_rows = np.eye(k, n)
    for j in reversed(range(k)):
        _reflect_rows(q_rows[j:, j:], reflectors[j, j:], taus[j])
    return q_rows

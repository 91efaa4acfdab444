"""Reductions whose bits do not depend on the CPU.

NumPy's ``np.linalg.norm`` and ``np.dot`` call BLAS, whose kernels (chosen by
CPU) sum in their own orders; ``np.add.reduce`` of a contiguous float64 array
is NumPy's own pairwise sum, in a fixed order on every CPU (see
``_householder``'s docstring).
"""

import numpy as np

__all__ = ["norm", "total"]


def total(x):
    """``sum(x)`` of every value of ``x`` in float64, summed pairwise in a fixed
    order (the same bits on every CPU).

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    float
    """
    return float(np.add.reduce(np.ascontiguousarray(x, dtype=np.float64).ravel()))


def norm(x):
    """The Euclidean norm of every value of ``x``, ``sqrt(sum(x**2))`` summed
    pairwise in a fixed order, scaled by a power of two so that squares neither
    overflow nor underflow (the scaling is exact: where the unscaled formula has
    no overflow or underflow the bits are the same). NaN or inf anywhere gives
    NaN or inf.

    Parameters
    ----------
    x : ndarray
        Any shape; float64 or float32 (summed in float64).

    Returns
    -------
    float
    """
    x = np.ascontiguousarray(x, dtype=np.float64).ravel()
    if x.size == 0:
        return 0.0
    largest = np.maximum.reduce(np.abs(x))
    if not np.isfinite(largest):
        return float(largest)
    exponent = int(np.frexp(largest)[1])
    scaled = np.ldexp(x, -exponent)
    return float(np.ldexp(np.sqrt(np.add.reduce(scaled * scaled)), exponent))

"""Elementary functions whose bits do not depend on the CPU.

NumPy's transcendental ufuncs (``np.exp``, ``np.expm1``, ``np.tanh``, ``np.log``,
...) dispatch by CPU to SIMD kernels (``__cpu_targets_info__``: X86_V3 on one
machine, X86_V4 with AVX-512 on another, NEON on aarch64) whose last bits
differ, and Python's :mod:`math` calls the C library, whose x86-64 ``exp``,
``log``, ``pow``, ... pick FMA variants by CPU. The functions here use only what
IEEE 754 and NumPy fix on every CPU (see ``_householder``'s docstring):

* ``+ - * /`` as separate ufunc calls, each correctly rounded; a polynomial
  is evaluated by Horner's rule with every ``a * b + c`` two calls, so nothing
  can be fused into an FMA;
* :func:`numpy.rint`, :func:`numpy.ldexp`, :func:`numpy.frexp`,
  :func:`numpy.copysign`, :func:`numpy.minimum`, comparisons and
  :func:`numpy.where`: exact.

``exp`` and ``expm1`` reduce ``x = k ln2 + r``, ``|r| <= ln2 / 2`` (Cody and
Waite: ``k`` by :func:`numpy.rint`, ``ln2`` split in a 32-bit head, whose
multiples by ``k`` are exact, and a tail), take ``expm1(r)`` from its Taylor
polynomial to degree 13 (truncation below 2**-56 relative) and scale by
``2**k`` with ``ldexp``. ``tanh`` is ``-expm1(-2|x|) / (expm1(-2|x|) + 2)`` below
1 and ``1 - 2 / (expm1(2|x|) + 2)`` above (fdlibm's formulas), ``log`` fdlibm's
``f - hfsq + s (hfsq + R)`` with ``R`` the Taylor series of ``2 atanh(s) / s - 2``.
Each is within a few ulp of the correctly rounded result over the whole float64
range (``tests/test_theory.py`` measures them against :mod:`math`), with
``inf``, NaN, overflow, underflow, signed zeros and tiny arguments handled.

The functions take array_like float64 and return ndarrays (0-d for scalars).
"""

import numpy as np

__all__ = ["exp", "expm1", "exp_and_expm1", "tanh", "sigmoid", "log", "power"]

#: ln 2 = _LN2_HI + _LN2_LO; _LN2_HI has 32 significant bits (fdlibm's split).
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
#: 1/k! for k = 2..13: expm1(r) = r + r**2 (1/2 + r/6 + ... + r**11/13!).
_EXPM1 = (1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880,
          1 / 3628800, 1 / 39916800, 1 / 479001600, 1 / 6227020800)
#: 2/(2j+1) for j = 1..11: 2 atanh(s) = 2 s + s z (2/3 + z (2/5 + ...)), z = s**2.
_ATANH = tuple(2 / (2 * j + 1) for j in range(1, 12))
_SQRT_HALF = 0.70710678118654757
#: Overflow to inf, underflow to 0 and NaN's cast to an int are expected here.
def _quiet():
    return np.errstate(over="ignore", under="ignore", invalid="ignore")


def _horner(coefficients, x):
    """``c0 + x (c1 + x (c2 + ...))``: one multiply and one add call per
    coefficient, never fused."""
    result = x * coefficients[-1]
    result += coefficients[-2]
    for c in coefficients[-3::-1]:
        result *= x
        result += c
    return result


def _reduced(x, low, high):
    """``(k, p, xc)``: ``xc`` is ``x`` clipped to ``[low, high]`` (within
    [-746, 710]; NaN stays NaN), ``xc = k ln2 + r`` with ``k`` an int array,
    ``|r| <= ln2 / 2`` (plus rounding) and ``p = expm1(r)``. Where ``x`` is NaN,
    ``p`` is NaN and ``k`` arbitrary, so every ``ldexp(p + ..., k)`` is NaN."""
    xc = np.maximum(np.asarray(x, dtype=np.float64).reshape(-1), low)  # NaN stays NaN
    np.minimum(xc, high, out=xc)
    k = xc * _INV_LN2
    np.rint(k, out=k)
    r = k * _LN2_HI
    np.subtract(xc, r, out=r)  # exact: k * _LN2_HI is exact, and within a factor 2 of xc
    tail = k * _LN2_LO
    r -= tail  # a zero x may give r = +0.0 for -0.0: expm1 restores the sign
    p = _horner(_EXPM1, r)
    np.multiply(r, r, out=tail)
    p *= tail
    p += r
    return k.astype(np.int32), p, xc  # (under _quiet(): NaN casts to an arbitrary int)


def _exp_from(k, p):
    p += 1.0
    return np.ldexp(p, k, out=p)


def _expm1_from(k, p, xc):
    # 2**k (1 + p) - 1 = 2**k (p + (1 - 2**-k)); 1 - 2**-k is exact for |k| <= 53
    # and rounds beyond, where it is negligible
    scale = np.ldexp(1.0, -k)
    np.subtract(1.0, scale, out=scale)
    scale += p
    result = np.ldexp(scale, k, out=scale)
    return np.copysign(result, xc, out=result)  # e**x - 1 has x's sign (-0.0 included)


def exp(x):
    """``e**x``, elementwise: 0 below -745.14, ``inf`` above 709.79, NaN for NaN."""
    with _quiet():
        k, p, _ = _reduced(x, -746.0, 710.0)
        return _exp_from(k, p).reshape(np.shape(x))


def expm1(x):
    """``e**x - 1``, elementwise, to full relative accuracy near 0 (``expm1(x) = x``
    for tiny ``x``, signed zeros kept): -1 below -45, ``inf`` above 709.79."""
    with _quiet():
        return _expm1_from(*_reduced(x, -45.0, 710.0)).reshape(np.shape(x))


def exp_and_expm1(x):
    """``(exp(x), expm1(x))`` for ``x <= 0`` sharing their work (bit for bit
    :func:`exp` and :func:`expm1` there)."""
    with _quiet():
        k, p, xc = _reduced(x, -746.0, 710.0)
        expm1_x = _expm1_from(k, p.copy(), xc)
        # below -45 expm1 is -1 (what clipping there gives: 2**k p rounds away)
        np.maximum(expm1_x, -1.0, out=expm1_x)
        return _exp_from(k, p).reshape(np.shape(x)), expm1_x.reshape(np.shape(x))


def tanh(x):
    """``tanh(x)``, elementwise, odd (signed zeros kept), to full relative accuracy
    near 0; exactly +-1 beyond |x| = 22."""
    x = np.asarray(x, dtype=np.float64)
    a = np.minimum(np.abs(x), 40.0)  # NaN stays NaN
    small = a < 1.0
    t = expm1(np.where(small, -2.0 * a, 2.0 * a))
    denominator = t + 2.0
    result = np.where(small, -t / denominator, 1.0 - 2.0 / denominator)
    return np.copysign(result, x)


def sigmoid(x):
    """``1 / (1 + e**-x)`` as ``(1 + tanh(x / 2)) / 2``, elementwise."""
    result = tanh(np.asarray(x, dtype=np.float64) * 0.5)
    result += 1.0
    result *= 0.5
    return result


def log(x):
    """The natural logarithm, elementwise: ``-inf`` at 0 (either sign), NaN below 0
    and for NaN, ``inf`` at ``inf``; subnormal arguments included."""
    x = np.asarray(x, dtype=np.float64)
    special = ~((x > 0) & (x < np.inf))
    xs = np.where(special, 1.0, x) if special.any() else x
    m, e = np.frexp(xs)  # xs = m 2**e, m in [0.5, 1)
    low = m < _SQRT_HALF
    m = np.where(low, m * 2.0, m)  # exact; m in [sqrt(1/2), sqrt(2))
    k = (e - low).astype(np.float64)
    f = m - 1.0  # exact (Sterbenz)
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    r = _horner(_ATANH, z)
    r *= z
    # log(1 + f) = f - hfsq + s (hfsq + R); log x = k ln2 + log(1 + f)
    inner = hfsq + r
    inner *= s
    inner += k * _LN2_LO
    result = k * _LN2_HI - ((hfsq - inner) - f)
    if special.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.where(special, np.where(x == 0, -np.inf, np.where(
                x == np.inf, np.inf, np.nan)), result)
    return result


# ---------------------------------------------------------------------------
# Powers (Python floats, double-double)
# ---------------------------------------------------------------------------

_SPLITTER = 134217729.0  # 2**27 + 1


def _two_product(a, b):
    """``(p, e)`` with ``p + e = a b`` exactly (Dekker, with Veltkamp's split:
    no FMA), for ``|a|, |b|`` in [0.5, 2)."""
    p = a * b
    c = _SPLITTER * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLITTER * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _dd_multiply(a_hi, a_lo, b_hi, b_lo):
    p, e = _two_product(a_hi, b_hi)
    e += a_hi * b_lo + a_lo * b_hi
    hi = p + e
    return hi, e - (hi - p)


def power(x, n):
    """``x**n`` for a Python float ``x >= 0`` and an int ``n >= 0``, by binary
    powering in double-double arithmetic on the mantissa (the exponent kept as
    an int, so nothing overflows on the way): within one ulp for ``n`` below
    2**50 (the relative error grows like ``n 2**-104``); ``inf`` where it
    overflows, 0.0 where it underflows."""
    import math  # frexp and ldexp only: exact

    if n == 0 or x == 1.0:
        return 1.0
    if x == 0.0 or not math.isfinite(x):
        return x
    base_m, base_e = math.frexp(x)
    base_lo = 0.0
    result_m, result_lo, result_e = 1.0, 0.0, 0
    while True:
        if n & 1:
            result_m, result_lo = _dd_multiply(result_m, result_lo, base_m, base_lo)
            result_e += base_e
            m, e = math.frexp(result_m)
            result_m, result_lo, result_e = m, math.ldexp(result_lo, -e), result_e + e
        n >>= 1
        if not n:
            break
        base_m, base_lo = _dd_multiply(base_m, base_lo, base_m, base_lo)
        base_e *= 2
        m, e = math.frexp(base_m)
        base_m, base_lo, base_e = m, math.ldexp(base_lo, -e), base_e + e
    if result_e > 1100:
        return math.inf
    if result_e < -1200:
        return 0.0
    try:
        return math.ldexp(result_m + result_lo, result_e)
    except OverflowError:
        return math.inf

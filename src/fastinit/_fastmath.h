/* Small C helpers for the compiled core that Cython cannot express directly:
 * an exp() that compilers can vectorize (no libm call, no errno), and CPU
 * feature detection for choosing the AVX2/FMA build at import.
 *
 * fi_exp: Cody-Waite reduction x = n ln2 + r with |r| <= ln2/2, a degree-13
 * Taylor polynomial for e^r (truncation error below 4e-18 relative), and 2^n
 * assembled from its exponent bits. Within 2 ulp of the correctly rounded
 * result on [-708, 709]; inputs beyond are clamped, so the result saturates
 * to about 3e-308 or 8e307 instead of 0 or inf (the sigmoid that uses it
 * then gives 0 and 1 to double precision either way).
 * fi_expf: the same in single precision, degree 7, within 2 ulp on [-87, 88].
 */
#ifndef FASTINIT_FASTMATH_H
#define FASTINIT_FASTMATH_H

#include <stdint.h>
#include <string.h>

static inline double fi_exp(double x)
{
    const double log2e = 1.4426950408889634;
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    const double shifter = 6755399441055744.0; /* 1.5 * 2^52: rounds to an integer */
    double t, n, r, p;
    uint64_t bits;
    x = x < -708.0 ? -708.0 : x;
    x = x > 709.0 ? 709.0 : x;
    t = x * log2e + shifter;
    n = t - shifter;
    r = (x - n * ln2_hi) - n * ln2_lo;
    p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* n sits in the low bits of t; 2^n has exponent field n + 1023. */
    memcpy(&bits, &t, sizeof bits);
    bits = (bits + 1023) << 52;
    memcpy(&t, &bits, sizeof t);
    return p * t;
}

static inline float fi_expf(float x)
{
    const float log2e = 1.44269504f;
    const float ln2_hi = 6.93359375e-1f;
    const float ln2_lo = -2.12194440e-4f;
    const float shifter = 12582912.0f; /* 1.5 * 2^23 */
    float t, n, r, p;
    uint32_t bits;
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    t = x * log2e + shifter;
    n = t - shifter;
    r = (x - n * ln2_hi) - n * ln2_lo;
    p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits + 127) << 23;
    memcpy(&t, &bits, sizeof t);
    return p * t;
}

/* 1 when the CPU running this code has AVX2 and FMA, else 0. */
static int fi_cpu_has_avx2_fma(void)
{
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* Which instruction set this translation unit was compiled for. */
#if defined(__AVX2__) && defined(__FMA__)
#define FI_INSTRUCTION_SET "avx2+fma"
#elif defined(__x86_64__)
#define FI_INSTRUCTION_SET "x86-64 (sse2)"
#else
#define FI_INSTRUCTION_SET "generic"
#endif

/* Whether this translation unit was compiled with OpenMP (threads). */
#ifdef _OPENMP
#define FI_OPENMP 1
#else
#define FI_OPENMP 0
#endif

#endif

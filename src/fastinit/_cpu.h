/* What the compiled core knows about the CPU and the build: whether the CPU
 * running it has AVX2 and FMA or AVX-512 (to choose a build at import), which
 * instruction set and whether OpenMP this translation unit was compiled for.
 */
#ifndef FASTINIT_CPU_H
#define FASTINIT_CPU_H

/* 1 when the CPU running this code has AVX2 and FMA, else 0. */
static inline int fi_cpu_has_avx2_fma(void)
{
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* 1 when the CPU running this code has AVX-512 F, VL and DQ and FMA, else 0. */
static inline int fi_cpu_has_avx512(void)
{
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
           && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* Which instruction set this translation unit was compiled for. */
#if defined(FI_AVX512_LAYOUT)
#define FI_INSTRUCTION_SET "avx512 layout on avx2+fma (a test build)"
#elif defined(__AVX512F__) && defined(__FMA__)
#define FI_INSTRUCTION_SET "avx512+fma"
#elif defined(__AVX2__) && defined(__FMA__)
#define FI_INSTRUCTION_SET "avx2+fma"
#elif defined(__x86_64__)
#define FI_INSTRUCTION_SET "x86-64 (sse2)"
#else
#define FI_INSTRUCTION_SET "generic"
#endif

/* Seconds on a monotonic clock, for timing chunks of training steps. */
#if defined(_WIN32)
#include <windows.h>
static inline double fi_seconds(void)
{
    LARGE_INTEGER frequency, count;
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&count);
    return (double)count.QuadPart / (double)frequency.QuadPart;
}
#else
#include <time.h>
static inline double fi_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}
#endif

/* Whether this translation unit was compiled with OpenMP (threads). */
#ifdef _OPENMP
#define FI_OPENMP 1
#else
#define FI_OPENMP 0
#endif

#endif

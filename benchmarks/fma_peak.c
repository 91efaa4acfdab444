/* The machine's float64 FMA peak, to put report.py's GFLOP/s in proportion.
 *
 *     gcc -O3 -mavx2 -mfma -fopenmp benchmarks/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 *
 * Twelve independent chains of 4-lane fused multiply-adds per thread: enough
 * to keep two FMA pipes busy through their latency. Prints GFLOP/s (an FMA
 * counts as two operations) with 1 thread and with every core.
 */
#include <omp.h>
#include <stdio.h>

typedef double v4 __attribute__((vector_size(32)));

static v4 chains(long n, v4 b, v4 c)
{
    v4 a[12];
    for (int i = 0; i < 12; i++) a[i] = b * (0.1 * (i + 1));
    for (long k = 0; k < n; k++)
        for (int i = 0; i < 12; i++) a[i] = a[i] * b + c;
    v4 total = a[0];
    for (int i = 1; i < 12; i++) total += a[i];
    return total;
}

int main(void)
{
    const long n = 200000000L;
    const v4 b = {0.9999999, 0.9999999, 0.9999999, 0.9999999};
    const v4 c = {1e-9, 1e-9, 1e-9, 1e-9};
    int cores = omp_get_num_procs();
    for (int threads = 1; threads <= cores; threads = threads == 1 ? cores : cores + 1) {
        double sink = 0, start = omp_get_wtime();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
        sink += chains(n, b, c)[0];
        double seconds = omp_get_wtime() - start;
        printf("%2d thread(s): %6.1f GFLOP/s (checksum %g)\n", threads,
               threads * n * 12 * 4 * 2.0 / seconds / 1e9, sink);
    }
    return 0;
}

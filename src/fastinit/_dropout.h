/* Inverted dropout on one row of a block of activations.
 *
 * A mask entry depends only on (seed, step, row, example): a key per row from
 * SplitMix64, then a 32-bit hash of the key and the example's index. No state
 * is carried between calls, so blocks and threads see the same masks in any
 * order. The same hash, in NumPy, is in benchmarks/reference.py.
 *
 * Kept values are scaled by 1 / keep_prob: the course's A * D / keep_prob, with
 * the division turned into a multiplication (a division per value took as long
 * as the whole forward pass of the notebook's network), which may change the
 * last bit.
 */
#ifndef FASTINIT_DROPOUT_H
#define FASTINIT_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t fi_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static inline uint32_t fi_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7FEB352DU;
    x ^= x >> 15;
    x *= 0x846CA68BU;
    return x ^ (x >> 16);
}

/* The key of hidden row `row` (counted over all hidden layers) at `step`. */
static inline uint32_t fi_dropout_key(uint64_t seed, uint64_t step, uint64_t row)
{
    return (uint32_t)fi_mix64(fi_mix64(fi_mix64(seed) ^ step) ^ row);
}

/* Whether example `example` of a row with `key` is kept: its hash below
 * `threshold` = keep_prob * 2**32. */
static inline int fi_dropout_kept(uint32_t key, uint32_t example, uint32_t threshold)
{
    return fi_mix32(key + example * 0x9E3779B9U) < threshold;
}

#define FI_DEFINE_DROPOUT(T, SUFFIX)                                                      \
/* a[j] = a[j] * D[j] * scale (D: 1 kept, 0 dropped), the examples first ..             \
 * first + n - 1; without a branch, so that it vectorizes. */                             \
static void fi_dropout_hashed_##SUFFIX(T* a, ptrdiff_t n, uint32_t key, uint32_t first,  \
                                       uint32_t threshold, T scale)                      \
{                                                                                         \
    for (ptrdiff_t j = 0; j < n; j++)                                                     \
        a[j] = a[j] * (T)fi_dropout_kept(key, first + (uint32_t)j, threshold) * scale;    \
}                                                                                         \
/* The same with the mask D given as bytes, 0 or 1. */                                  \
static void fi_dropout_fixed_##SUFFIX(T* a, ptrdiff_t n, const unsigned char* kept,      \
                                      T scale)                                            \
{                                                                                         \
    for (ptrdiff_t j = 0; j < n; j++)                                                     \
        a[j] = a[j] * (T)kept[j] * scale;                                                 \
}                                                                                         \
/* a[j] *= scale: the backward pass, where the ReLU's (A > 0) already holds the     \
 * mask. */                                                                               \
static void fi_scale_##SUFFIX(T* a, ptrdiff_t n, T scale)                                \
{                                                                                         \
    for (ptrdiff_t j = 0; j < n; j++)                                                     \
        a[j] = a[j] * scale;                                                              \
}

FI_DEFINE_DROPOUT(double, d)
FI_DEFINE_DROPOUT(float, f)

#endif

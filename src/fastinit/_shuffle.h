/* NumPy's legacy shuffle, for the mini-batch loop: the permutation that
 * np.random.RandomState(seed).permutation(m) returns, bit for bit, without
 * going back to Python once per epoch (the course reseeds before every epoch).
 *
 * RandomState seeds MT19937 with init_genrand (mt19937_seed in NumPy), and
 * permutation(m) shuffles arange(m) from the last element down, drawing each
 * index with random_interval: 32-bit outputs masked to the smallest all-ones
 * value >= the bound, rejected while above it. tests/test_kernels.py checks
 * the result against NumPy.
 */
#ifndef FASTINIT_SHUFFLE_H
#define FASTINIT_SHUFFLE_H

#include <stddef.h>
#include <stdint.h>

#define FI_MT_N 624
#define FI_MT_M 397

typedef struct {
    uint32_t key[FI_MT_N];
    int pos;
} fi_mt19937;

static void fi_mt_seed(fi_mt19937* state, uint32_t seed)
{
    for (int pos = 0; pos < FI_MT_N; pos++) {
        state->key[pos] = seed;
        seed = 1812433253U * (seed ^ (seed >> 30)) + (uint32_t)pos + 1;
    }
    state->pos = FI_MT_N;
}

static uint32_t fi_mt_twist(uint32_t upper, uint32_t lower, uint32_t far)
{
    uint32_t y = (upper & 0x80000000U) | (lower & 0x7FFFFFFFU);
    return far ^ (y >> 1) ^ ((0U - (y & 1U)) & 0x9908B0DFU);
}

static void fi_mt_generate(fi_mt19937* state)
{
    uint32_t* key = state->key;
    int i;
    for (i = 0; i < FI_MT_N - FI_MT_M; i++)
        key[i] = fi_mt_twist(key[i], key[i + 1], key[i + FI_MT_M]);
    for (; i < FI_MT_N - 1; i++)
        key[i] = fi_mt_twist(key[i], key[i + 1], key[i + FI_MT_M - FI_MT_N]);
    key[FI_MT_N - 1] = fi_mt_twist(key[FI_MT_N - 1], key[0], key[FI_MT_M - 1]);
    state->pos = 0;
}

static uint32_t fi_mt_next32(fi_mt19937* state)
{
    if (state->pos == FI_MT_N)
        fi_mt_generate(state);
    uint32_t y = state->key[state->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680U;
    y ^= (y << 15) & 0xEFC60000U;
    return y ^ (y >> 18);
}

/* A uniform integer in [0, max], max < 2**32. */
static uint32_t fi_mt_interval(fi_mt19937* state, uint32_t max)
{
    uint32_t mask = max, value;
    if (max == 0)
        return 0;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    while ((value = fi_mt_next32(state) & mask) > max) {
    }
    return value;
}

/* order = RandomState(seed).permutation(m), m < 2**32. */
static void fi_permutation(ptrdiff_t* order, ptrdiff_t m, uint32_t seed)
{
    fi_mt19937 state;
    fi_mt_seed(&state, seed);
    for (ptrdiff_t i = 0; i < m; i++)
        order[i] = i;
    for (ptrdiff_t i = m - 1; i >= 1; i--) {
        ptrdiff_t j = (ptrdiff_t)fi_mt_interval(&state, (uint32_t)i);
        ptrdiff_t swap = order[i];
        order[i] = order[j];
        order[j] = swap;
    }
}

#endif

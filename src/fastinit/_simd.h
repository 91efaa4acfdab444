/* The innermost loops of training, written with GCC/Clang vector extensions.
 *
 * Each kernel works on one block of examples stored row-major with a leading
 * dimension (ld*), one chunk of examples at a time: 4 AVX registers (8 SSE2
 * ones) of doubles or floats, held in registers while a sum runs over a
 * layer's inputs or outputs (two chunks at a time for the long sums of wide
 * layers on AVX-512, see FI_TILE_CHUNKS).
 *
 * Every build computes the same bits (generic, AVX2, AVX-512, NEON):
 * - the compiler never contracts a * b + c on its own (every build is compiled
 *   with -ffp-contract=off); a fused multiply-add is written as one (fi_fma_v*,
 *   fi_madd_*), and the generic build without FMA instructions computes it with
 *   C's fma(), the same single rounding;
 * - a sum along a layer's inputs or outputs is one chain per value, in order;
 * - a sum over examples keeps one partial sum per lane of FI_SUM_BYTES (64 bytes:
 *   8 doubles or 16 floats, one AVX-512 register, two AVX2 ones, four SSE2 or
 *   NEON ones), and adds those lanes in order at the end, so the order of every
 *   sum depends on the block, never on the register width.
 *
 * Cython's generated loops are not reliably vectorized by GCC (it falls back
 * to scalar FMAs); vector extensions are. Loads and stores are unaligned (memcpy,
 * which compilers turn into vmovupd/vmovups).
 */
#ifndef FASTINIT_SIMD_H
#define FASTINIT_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "_kernels_api.h"
/* AVX-512's registers, tiles and sums: in the AVX-512 build, and in a test build
 * (-DFI_AVX512_LAYOUT) that has the compiler emulate them on any CPU, to check
 * that the AVX-512 build's arithmetic is the others' where no AVX-512 CPU is at hand. */
#if defined(__AVX512F__) || defined(FI_AVX512_LAYOUT)
#define FI_AVX512_REGISTERS 1
#else
#define FI_AVX512_REGISTERS 0
#endif
#if defined(__AVX512F__) || defined(__FMA__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

/* Examples per chunk: 4 AVX registers of either dtype (2 AVX-512 ones: 4 made
 * the blocks' padding and the narrow layers' loops longer and measured no
 * faster). Blocks are padded to a multiple of FI_CHUNK_MAX (_kernels_api.h),
 * which every chunk divides. */
#define FI_CHUNK_d 16
#define FI_CHUNK_f 32
/* Rows of W per register tile of the forward pass (and inputs per tile of the
 * input gradient and of the weight gradient), each row holding a chunk of
 * examples: 2 x 4 accumulators of the 16 AVX registers, 4 x 2 of the 32 AVX-512
 * ones, enough chains to keep two FMA pipes busy. The shape of a tile never
 * changes the arithmetic. */
#if FI_AVX512_REGISTERS
#define FI_TILE_ROWS 4
#else
#define FI_TILE_ROWS 2
#endif
/* Chunks of examples per register tile of the forward pass and of the input
 * gradient: two on AVX-512, so that a tile of 4 rows holds 16 accumulators, twice
 * the chains that two FMA pipes of latency 4 need (a tile of 8 stalls whenever a
 * load is late); one on AVX2, whose 16 registers a 2 x 4 tile already fills. */
#if FI_AVX512_REGISTERS
#define FI_TILE_CHUNKS 2
#else
#define FI_TILE_CHUNKS 1
#endif
/* `case n:` for every remainder 1 .. FI_TILE_ROWS - 1 of a loop over tiles, the
 * remainder a constant in each case (FI_ROWS_LEFT) so that the tile is unrolled. */
#define FI_REMAINDER_CASE(n, CALL) case n: { enum { FI_ROWS_LEFT = n }; CALL; break; }
#if FI_TILE_ROWS == 4
#define FI_REMAINDER_CASES(CALL) \
    FI_REMAINDER_CASE(1, CALL) FI_REMAINDER_CASE(2, CALL) FI_REMAINDER_CASE(3, CALL)
#else
#define FI_REMAINDER_CASES(CALL) FI_REMAINDER_CASE(1, CALL)
#endif
/* The register tile of the weight gradient by input (fi_weight_tile_by_input):
 * FI_INPUT_ROWS outputs by FI_INPUT_VECTORS registers of inputs, each accumulator
 * with its running total beside it. */
#if FI_AVX512_REGISTERS
#define FI_INPUT_ROWS 4
#define FI_INPUT_VECTORS 3
#define FI_INPUT_REMAINDER_CASES(CALL) \
    FI_REMAINDER_CASE(1, CALL) FI_REMAINDER_CASE(2, CALL) FI_REMAINDER_CASE(3, CALL)
#else
#define FI_INPUT_ROWS 3
#define FI_INPUT_VECTORS 2
#define FI_INPUT_REMAINDER_CASES(CALL) FI_REMAINDER_CASE(1, CALL) FI_REMAINDER_CASE(2, CALL)
#endif
/* Values of A.T that the weight gradient by input transposes on the stack, at most. */
#define FI_TRANSPOSED_VALUES 4096
/* Inputs per panel of the forward pass: the panel of a chunk stays in L2
 * while every output row is computed from it. */
#define FI_PANEL 128

/* One register: 64 bytes where AVX-512 is enabled, 32 where AVX is, 16 (SSE2,
 * NEON) otherwise. */
#if FI_AVX512_REGISTERS
#define FI_VECTOR_BYTES 64
#elif defined(__AVX__)
#define FI_VECTOR_BYTES 32
#else
#define FI_VECTOR_BYTES 16
#endif
typedef double fi_vd __attribute__((vector_size(FI_VECTOR_BYTES)));
typedef float fi_vf __attribute__((vector_size(FI_VECTOR_BYTES)));
typedef int64_t fi_vl __attribute__((vector_size(FI_VECTOR_BYTES)));
typedef int32_t fi_vi __attribute__((vector_size(FI_VECTOR_BYTES)));

/* x in every lane, as a vector literal: a lane-by-lane loop makes GCC build the
 * float vector through the stack (a store-forwarding stall on every use). */
#if FI_VECTOR_BYTES == 64
static inline fi_vd fi_splat_d(double x) { return (fi_vd){x, x, x, x, x, x, x, x}; }
static inline fi_vf fi_splat_f(float x)
{
    return (fi_vf){x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x};
}
#elif FI_VECTOR_BYTES == 32
static inline fi_vd fi_splat_d(double x) { return (fi_vd){x, x, x, x}; }
static inline fi_vf fi_splat_f(float x) { return (fi_vf){x, x, x, x, x, x, x, x}; }
#else
static inline fi_vd fi_splat_d(double x) { return (fi_vd){x, x}; }
static inline fi_vf fi_splat_f(float x) { return (fi_vf){x, x, x, x}; }
#endif

/* a * b + c with one rounding, on every lane: the FMA instruction where the build
 * has one, else C's fma() lane by lane (exact wherever it runs, so the generic
 * build gives the same bits as the others, only slower). */
#if FI_VECTOR_BYTES == 64 && defined(__AVX512F__)
static inline fi_vd fi_fma_vd(fi_vd a, fi_vd b, fi_vd c)
{
    return (fi_vd)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
}
static inline fi_vf fi_fma_vf(fi_vf a, fi_vf b, fi_vf c)
{
    return (fi_vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
}
#elif FI_VECTOR_BYTES == 32 && defined(__FMA__)
static inline fi_vd fi_fma_vd(fi_vd a, fi_vd b, fi_vd c)
{
    return (fi_vd)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
}
static inline fi_vf fi_fma_vf(fi_vf a, fi_vf b, fi_vf c)
{
    return (fi_vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
}
#elif FI_VECTOR_BYTES == 16 && defined(__aarch64__)
static inline fi_vd fi_fma_vd(fi_vd a, fi_vd b, fi_vd c)
{
    return (fi_vd)vfmaq_f64((float64x2_t)c, (float64x2_t)a, (float64x2_t)b);
}
static inline fi_vf fi_fma_vf(fi_vf a, fi_vf b, fi_vf c)
{
    return (fi_vf)vfmaq_f32((float32x4_t)c, (float32x4_t)a, (float32x4_t)b);
}
#else
/* The generic build: C's fma() lane by lane. On x86-64 it checks the CPU once
 * (fi_detect_fma, at import): without FMA instructions, fma() would be emulated in
 * software, dozens of times slower, so such a CPU (before 2013) multiplies and
 * adds with two roundings instead, and its results differ from every other CPU's
 * in the last bits (fastinit.show_config() says so). */
#define FI_FMA_BY_LANE 1
#if defined(__x86_64__) || defined(__i386__)
static int fi_fused = 1;
static void fi_detect_fma(void)
{
    __builtin_cpu_init();
    fi_fused = __builtin_cpu_supports("fma");
}
#else
enum { fi_fused = 1 };
static void fi_detect_fma(void) {}
#endif
static inline fi_vd fi_fma_vd(fi_vd a, fi_vd b, fi_vd c)
{
    if (!fi_fused) return a * b + c;
    for (int l = 0; l < (int)(sizeof a / sizeof a[0]); l++) c[l] = __builtin_fma(a[l], b[l], c[l]);
    return c;
}
static inline fi_vf fi_fma_vf(fi_vf a, fi_vf b, fi_vf c)
{
    if (!fi_fused) return a * b + c;
    for (int l = 0; l < (int)(sizeof a / sizeof a[0]); l++) c[l] = __builtin_fmaf(a[l], b[l], c[l]);
    return c;
}
#endif
#ifndef FI_FMA_BY_LANE
enum { fi_fused = 1 };
static void fi_detect_fma(void) {}
#endif
/* The kernels of the generic x86-64 build come twice, chosen when the module loads
 * (GCC's target_clones, an ifunc): compiled for CPUs with FMA, where fma() is one
 * instruction, and for the baseline, where it is a call into the C library. The same
 * bits either way; on an FMA CPU several times faster. */
#if defined(FI_FMA_BY_LANE) && defined(__x86_64__) && defined(__linux__) \
    && defined(__GNUC__) && !defined(__clang__)
#define FI_KERNEL __attribute__((target_clones("fma", "default")))
#else
#define FI_KERNEL
#endif
/* How this build multiplies and adds: "instructions" (FMA), "fma()" (C's, lane by
 * lane: the same bits, slower) or "unfused" (a CPU without FMA: other bits). */
static const char* fi_fma_kind(void)
{
#ifdef FI_FMA_BY_LANE
    return fi_fused ? "fma()" : "unfused";
#else
    return "instructions";
#endif
}

/* The width of every sum over examples (see the header): FI_PARTS registers of
 * this build hold one set of partial sums. */
#define FI_SUM_BYTES 64
#define FI_PARTS (FI_SUM_BYTES / FI_VECTOR_BYTES)

/* Lane totals of a register's worth of vectors: t[e] = ((v[e][0] + v[e][1]) + ...) +
 * v[e][NL - 1], the lanes of each added in order as a scalar loop adds them, but for
 * NL vectors at once: the NL x NL matrix of lanes is transposed in registers (one
 * two-vector shuffle per vector and halving, swapping the off-diagonal blocks), then
 * its rows are added. Same bits as the scalar loop, a few times fewer instructions. */
#if defined(__clang__)
#define FI_SHUFFLE(MASK, a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define FI_SHUFFLE(MASK, a, b, ...) __builtin_shuffle(a, b, (MASK){__VA_ARGS__})
#endif
/* Lane indices of one halving h of N lanes: LO keeps the lanes c of the first vector
 * with c & h == 0 and takes the others from the second (lane c - h); HI the rest. */
#define FI_LO_2_1 0, 2
#define FI_HI_2_1 1, 3
#define FI_LO_4_2 0, 1, 4, 5
#define FI_HI_4_2 2, 3, 6, 7
#define FI_LO_4_1 0, 4, 2, 6
#define FI_HI_4_1 1, 5, 3, 7
#define FI_LO_8_4 0, 1, 2, 3, 8, 9, 10, 11
#define FI_HI_8_4 4, 5, 6, 7, 12, 13, 14, 15
#define FI_LO_8_2 0, 1, 8, 9, 4, 5, 12, 13
#define FI_HI_8_2 2, 3, 10, 11, 6, 7, 14, 15
#define FI_LO_8_1 0, 8, 2, 10, 4, 12, 6, 14
#define FI_HI_8_1 1, 9, 3, 11, 5, 13, 7, 15
#define FI_LO_16_8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define FI_HI_16_8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#define FI_LO_16_4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define FI_HI_16_4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define FI_LO_16_2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define FI_HI_16_2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define FI_LO_16_1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define FI_HI_16_1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
#define FI_HALVING(MASK, v, N, h)                                                         \
    for (int r = 0; r < N; r++)                                                           \
        if (!(r & h)) {                                                                   \
            __typeof__(v[0]) lo = FI_SHUFFLE(MASK, v[r], v[r + h], FI_LO_##N##_##h);      \
            v[r + h] = FI_SHUFFLE(MASK, v[r], v[r + h], FI_HI_##N##_##h);                 \
            v[r] = lo;                                                                    \
        }
#if FI_VECTOR_BYTES == 64
#define FI_TRANSPOSE_d(v) FI_HALVING(fi_vl, v, 8, 4) FI_HALVING(fi_vl, v, 8, 2) FI_HALVING(fi_vl, v, 8, 1)
#define FI_TRANSPOSE_f(v) FI_HALVING(fi_vi, v, 16, 8) FI_HALVING(fi_vi, v, 16, 4) \
    FI_HALVING(fi_vi, v, 16, 2) FI_HALVING(fi_vi, v, 16, 1)
#elif FI_VECTOR_BYTES == 32
#define FI_TRANSPOSE_d(v) FI_HALVING(fi_vl, v, 4, 2) FI_HALVING(fi_vl, v, 4, 1)
#define FI_TRANSPOSE_f(v) FI_HALVING(fi_vi, v, 8, 4) FI_HALVING(fi_vi, v, 8, 2) FI_HALVING(fi_vi, v, 8, 1)
#else
#define FI_TRANSPOSE_d(v) FI_HALVING(fi_vl, v, 2, 1)
#define FI_TRANSPOSE_f(v) FI_HALVING(fi_vi, v, 4, 2) FI_HALVING(fi_vi, v, 4, 1)
#endif
/* v holds FI_PARTS x NL registers, part-major (v[p * NL + e]): NL sets of partial
 * sums, set e in v[e], v[NL + e], ... Returns lane e = the lanes of set e added in
 * order, part after part: the same sum in every build. */
#define FI_DEFINE_LANE_TOTALS(V, SUFFIX)                                                  \
static inline __attribute__((always_inline)) V fi_lane_totals_##SUFFIX(V* v)              \
{                                                                                         \
    enum { NL = (int)(sizeof(V) / sizeof(v[0][0])) };                                     \
    V total = fi_splat_##SUFFIX(0);                                                       \
    for (int p = 0; p < FI_PARTS; p++) {                                                  \
        V* w = v + p * NL;                                                                \
        FI_TRANSPOSE_##SUFFIX(w)                                                          \
        for (int l = 0; l < NL; l++) total = p == 0 && l == 0 ? w[0] : total + w[l];     \
    }                                                                                     \
    return total;                                                                         \
}
FI_DEFINE_LANE_TOTALS(fi_vd, d)
FI_DEFINE_LANE_TOTALS(fi_vf, f)

#define FI_DEFINE_KERNELS(T, V, SUFFIX)                                                   \
                                                                                          \
enum { FI_LANES_##SUFFIX = (int)(sizeof(V) / sizeof(T)),                                  \
       FI_VECS_##SUFFIX = FI_CHUNK_##SUFFIX / (int)(sizeof(V) / sizeof(T)) };                      \
                                                                                          \
static inline V fi_load_##SUFFIX(const T* p) { V v; memcpy(&v, p, sizeof v); return v; } \
static inline void fi_store_##SUFFIX(T* p, V v) { memcpy(p, &v, sizeof v); }             \
/* value where `where` > 0, else +0 (a lane mask and a bitwise and; C has no   \
 * vector ?:). */                                                                         \
static inline V fi_where_positive_##SUFFIX(V where, V value) {                            \
    V zero = fi_splat_##SUFFIX(0);                                                        \
    __typeof__(where > zero) mask = where > zero;                                         \
    return (V)((__typeof__(mask))value & mask);                                           \
}                                                                                         \
/* max(v, 0), NaN kept (as NumPy's maximum keeps it). */                               \
static inline V fi_relu_##SUFFIX(V v) {                                                   \
    __typeof__(v > v) keep = (v > fi_splat_##SUFFIX(0)) | (v != v);                       \
    return (V)((__typeof__(keep))v & keep);                                               \
}                                                                                         \
/* out = value where `where` > 0, else 0, on n values (out may be value). */             \
void fi_mask_##SUFFIX(const T* where, const T* value, T* out, ptrdiff_t n)         \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    ptrdiff_t j = 0;                                                                      \
    for (; j + NL <= n; j += NL)                                                          \
        fi_store_##SUFFIX(out + j, fi_where_positive_##SUFFIX(fi_load_##SUFFIX(where + j), \
                                                              fi_load_##SUFFIX(value + j))); \
    for (; j < n; j++) out[j] = where[j] > 0 ? value[j] : 0;                              \
}                                                                                         \
                                                                                          \
/* dW[i..i+R-1, k..k+K-1] (R <= 4, K <= 2 * FI_TILE_ROWS) = sums over the block of dZ     \
 * rows times A rows: one partial sum per lane of FI_SUM_BYTES of examples, the lanes     \
 * added in a fixed order at the end, so neither the tile's shape nor the register        \
 * width changes a bit. Where FI_SUM_BYTES is several registers (FI_PARTS), each          \
 * part's sums run over the block in turn, so that a tile needs the registers of one      \
 * part. A block may come in pieces (see fi_block_weight_gradient): the partial sums      \
 * start from `lanes` unless FI_START, and go back there unless FI_FINISH. */             \
static inline __attribute__((always_inline)) void fi_weight_tile_##SUFFIX(                \
    const T* dZ, ptrdiff_t lddz, const T* A, ptrdiff_t lda, T* dW, T* lanes, int phase,   \
    ptrdiff_t n_in, ptrdiff_t i, ptrdiff_t k, int R, int K, ptrdiff_t width)              \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX, P = FI_PARTS, SL = FI_LANES_##SUFFIX * FI_PARTS };     \
    V sums[P][4][2 * FI_TILE_ROWS];                                                       \
    for (int p = 0; p < P; p++) {                                                         \
        V acc[4][2 * FI_TILE_ROWS];                                                       \
        for (int r = 0; r < R; r++)                                                       \
            for (int c = 0; c < K; c++)                                                   \
                acc[r][c] = phase & FI_START ? fi_splat_##SUFFIX(0) : fi_load_##SUFFIX(   \
                    lanes + ((i + r) * n_in + k + c) * SL + p * NL);                      \
        for (ptrdiff_t j = p * NL; j < width; j += SL) {                                  \
            V a[2 * FI_TILE_ROWS], d[4];                                                  \
            for (int c = 0; c < K; c++) a[c] = fi_load_##SUFFIX(A + (k + c) * lda + j);   \
            for (int r = 0; r < R; r++) d[r] = fi_load_##SUFFIX(dZ + (i + r) * lddz + j); \
            for (int r = 0; r < R; r++)                                                   \
                for (int c = 0; c < K; c++)                                               \
                    acc[r][c] = fi_fma_v##SUFFIX(d[r], a[c], acc[r][c]);                  \
        }                                                                                 \
        for (int r = 0; r < R; r++)                                                       \
            for (int c = 0; c < K; c++) {                                                 \
                if (!(phase & FI_FINISH))                                                 \
                    fi_store_##SUFFIX(lanes + ((i + r) * n_in + k + c) * SL + p * NL,     \
                                      acc[r][c]);                                         \
                sums[p][r][c] = acc[r][c];                                                \
            }                                                                             \
    }                                                                                     \
    if (!(phase & FI_FINISH)) return;                                                     \
    for (int e0 = 0; e0 < R * K; e0 += NL) {                                              \
        V v[P * NL];                                                                      \
        for (int p = 0; p < P; p++)                                                       \
            for (int e = 0; e < NL; e++)                                                  \
                v[p * NL + e] = e0 + e < R * K ? sums[p][(e0 + e) / K][(e0 + e) % K]      \
                                               : fi_splat_##SUFFIX(0);                    \
        V total = fi_lane_totals_##SUFFIX(v);                                             \
        for (int e = e0; e < R * K && e < e0 + NL; e++)                                   \
            dW[(i + e / K) * n_in + k + e % K] = total[e - e0];                           \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* dW[i..i+R-1, k..k+K-1] (K <= 2 * FI_TILE_ROWS) in tiles of at most                 \
 * FI_TILE_ROWS inputs: as many chains as the registers hold. */                      \
static inline __attribute__((always_inline)) void fi_weight_rows_##SUFFIX(                \
    const T* dZ, ptrdiff_t lddz, const T* A, ptrdiff_t lda, T* dW, T* lanes, int phase,   \
    ptrdiff_t n_in, ptrdiff_t i, ptrdiff_t k, int R, int K, ptrdiff_t width)              \
{                                                                                         \
    enum { TR = FI_TILE_ROWS };                                                           \
    fi_weight_tile_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_in, i, k, R,            \
                            K < TR ? K : TR, width);                                      \
    if (K > TR)                                                                           \
        fi_weight_tile_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_in, i, k + TR, R,   \
                                K - TR, width);                                           \
}                                                                                         \
                                                                                          \
/* The rows of dW for inputs k .. k + K - 1 (K <= 2 * FI_TILE_ROWS): tiles of 4       \
 * outputs by at most FI_TILE_ROWS inputs, then the 1 to 3 outputs left. One or two   \
 * of them take all K inputs in one tile: a tile of 1 x FI_TILE_ROWS would have too   \
 * few chains of multiply-adds to hide their latency. */                                  \
static inline __attribute__((always_inline)) void fi_weight_columns_##SUFFIX(             \
    const T* dZ, ptrdiff_t lddz, const T* A, ptrdiff_t lda, T* dW, T* lanes, int phase,   \
    ptrdiff_t n_out, ptrdiff_t n_in, ptrdiff_t k, int K, ptrdiff_t width)                 \
{                                                                                         \
    ptrdiff_t i = 0;                                                                      \
    for (; i + 4 <= n_out; i += 4)                                                        \
        fi_weight_rows_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_in, i, k, 4, K, width); \
    switch (n_out - i) {                                                                  \
    case 1: fi_weight_tile_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_in, i, k, 1, K, width); break; \
    case 2: fi_weight_tile_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_in, i, k, 2, K, width); break; \
    case 3: fi_weight_rows_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_in, i, k, 3, K, width); break; \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* db[i..i+R-1] (R <= 4, a constant where inlined) = dZ.sum(axis=1) over the block        \
 * (or a piece of it, as in fi_weight_tile): for each row, one partial sum per lane       \
 * and register of a chunk (two sets of FI_SUM_BYTES); the two sets added lane by         \
 * lane go to sums[p * NL + r] (part p of row r, the layout of fi_lane_totals). The R     \
 * rows' sums run side by side, so their additions overlap instead of waiting on each     \
 * other. */                                                                              \
static inline __attribute__((always_inline)) void fi_bias_rows_##SUFFIX(                  \
    const T* dZ, ptrdiff_t lddz, T* bias_lanes, int phase, ptrdiff_t i, int R,            \
    ptrdiff_t width, V* sums)                                                             \
{                                                                                         \
    enum { NV = FI_VECS_##SUFFIX, NL = FI_LANES_##SUFFIX, CH = FI_CHUNK_##SUFFIX,         \
           P = FI_PARTS };                                                                \
    V acc[4][NV];                                                                         \
    for (int r = 0; r < R; r++)                                                           \
        for (int v = 0; v < NV; v++)                                                      \
            acc[r][v] = phase & FI_START ? fi_splat_##SUFFIX(0)                           \
                        : fi_load_##SUFFIX(bias_lanes + (i + r) * CH + v * NL);           \
    for (ptrdiff_t j0 = 0; j0 < width; j0 += CH)                                          \
        for (int r = 0; r < R; r++)                                                       \
            for (int v = 0; v < NV; v++)                                                  \
                acc[r][v] += fi_load_##SUFFIX(dZ + (i + r) * lddz + j0 + v * NL);         \
    for (int r = 0; r < R; r++) {                                                         \
        if (!(phase & FI_FINISH)) {                                                       \
            for (int v = 0; v < NV; v++)                                                  \
                fi_store_##SUFFIX(bias_lanes + (i + r) * CH + v * NL, acc[r][v]);         \
            continue;                                                                     \
        }                                                                                 \
        for (int p = 0; p < P; p++) sums[p * NL + r] = acc[r][p] + acc[r][P + p];         \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* dW[i..i+R-1, k..k+C NL-1] of a whole block, by input: the same                        \
 * sums as fi_weight_tile (lane s of FI_SUM_BYTES holds the examples j = s, s + SL, ...,  \
 * each a chain of multiply-adds from 0 in order, and the lanes are added in order), but  \
 * with a register holding NL inputs of one output instead of NL examples, so that the    \
 * lanes are added by whole registers instead of transposed at the end. It reads A        \
 * transposed (AT: width x n_in), made once per block by fi_transpose_block. */           \
static inline __attribute__((always_inline)) void fi_weight_tile_by_input_##SUFFIX(       \
    const T* dZ, ptrdiff_t lddz, const T* AT, T* dW, ptrdiff_t n_in, ptrdiff_t i, int R,  \
    ptrdiff_t k, ptrdiff_t width)                                                         \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX, SL = FI_LANES_##SUFFIX * FI_PARTS,                     \
           C = FI_INPUT_VECTORS };                                                        \
    V total[FI_INPUT_ROWS][C];                                                            \
    for (int s = 0; s < SL; s++) {                                                        \
        V acc[FI_INPUT_ROWS][C];                                                          \
        for (int r = 0; r < R; r++)                                                       \
            for (int c = 0; c < C; c++) acc[r][c] = fi_splat_##SUFFIX(0);                 \
        for (ptrdiff_t j = s; j < width; j += SL) {                                       \
            V a[C];                                                                       \
            for (int c = 0; c < C; c++)                                                   \
                a[c] = fi_load_##SUFFIX(AT + j * n_in + k + c * NL);                      \
            for (int r = 0; r < R; r++) {                                                 \
                V d = fi_splat_##SUFFIX(dZ[(i + r) * lddz + j]);                          \
                for (int c = 0; c < C; c++)                                               \
                    acc[r][c] = fi_fma_v##SUFFIX(d, a[c], acc[r][c]);                     \
            }                                                                             \
        }                                                                                 \
        for (int r = 0; r < R; r++)                                                       \
            for (int c = 0; c < C; c++)                                                   \
                total[r][c] = s == 0 ? acc[r][c] : total[r][c] + acc[r][c];               \
    }                                                                                     \
    for (int r = 0; r < R; r++)                                                           \
        for (int c = 0; c < C; c++)                                                       \
            fi_store_##SUFFIX(dW + (i + r) * n_in + k + c * NL, total[r][c]);             \
}                                                                                         \
                                                                                          \
/* AT = A.T for the first width columns of A's n_in rows (both multiples of NL), NL x NL  \
 * values at a time, transposed in registers. */                                          \
static inline __attribute__((always_inline)) void fi_transpose_block_##SUFFIX(            \
    const T* A, ptrdiff_t lda, T* AT, ptrdiff_t n_in, ptrdiff_t width)                    \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    for (ptrdiff_t k = 0; k < n_in; k += NL)                                              \
        for (ptrdiff_t j = 0; j < width; j += NL) {                                       \
            V v[NL];                                                                      \
            for (int e = 0; e < NL; e++) v[e] = fi_load_##SUFFIX(A + (k + e) * lda + j);  \
            FI_TRANSPOSE_##SUFFIX(v)                                                      \
            for (int e = 0; e < NL; e++)                                                  \
                fi_store_##SUFFIX(AT + (j + e) * n_in + k, v[e]);                         \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* Whether fi_weight_gradient_by_input takes a block: whole, its inputs whole tiles, A.T  \
 * small enough for the stack; not on 16-byte registers, where it measured slower. */     \
static inline int fi_weights_by_input_##SUFFIX(int phase, ptrdiff_t n_in,                 \
                                               ptrdiff_t width)                           \
{                                                                                         \
    enum { STEP = FI_INPUT_VECTORS * FI_LANES_##SUFFIX };                                 \
    return FI_VECTOR_BYTES >= 32 && phase == (FI_START | FI_FINISH) && n_in % STEP == 0   \
           && n_in * width <= FI_TRANSPOSED_VALUES;                                       \
}                                                                                         \
                                                                                          \
/* dW of a whole block by input (fi_weight_tile_by_input): tiles of FI_INPUT_ROWS         \
 * outputs by FI_INPUT_VECTORS registers of inputs, then the outputs left. */             \
static inline __attribute__((always_inline)) void fi_weight_gradient_by_input_##SUFFIX(   \
    const T* dZ, ptrdiff_t lddz, const T* A, ptrdiff_t lda, T* dW, ptrdiff_t n_out,       \
    ptrdiff_t n_in, ptrdiff_t width)                                                      \
{                                                                                         \
    enum { STEP = FI_INPUT_VECTORS * FI_LANES_##SUFFIX, IR = FI_INPUT_ROWS };             \
    T AT[FI_TRANSPOSED_VALUES] __attribute__((aligned(64)));                              \
    fi_transpose_block_##SUFFIX(A, lda, AT, n_in, width);                                 \
    for (ptrdiff_t k = 0; k < n_in; k += STEP) {                                          \
        ptrdiff_t i = 0;                                                                  \
        for (; i + IR <= n_out; i += IR)                                                  \
            fi_weight_tile_by_input_##SUFFIX(dZ, lddz, AT, dW, n_in, i, IR, k, width);    \
        switch (n_out - i) {                                                              \
        FI_INPUT_REMAINDER_CASES(fi_weight_tile_by_input_##SUFFIX(dZ, lddz, AT, dW, n_in, \
                                                                  i, FI_ROWS_LEFT, k,    \
                                                                  width))                \
        }                                                                                 \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* dW = dZ @ A.T and db = dZ.sum(axis=1) over the block, in tiles of 4 outputs x          \
 * FI_TILE_ROWS inputs; inputs outermost, so a wide input row is read from memory     \
 * once. With phase FI_START | FI_FINISH the block is whole. Otherwise it comes in        \
 * pieces of whole chunks, in order, the first with FI_START, the last with               \
 * FI_FINISH: between two pieces the partial sums wait in `lanes` (n_out * n_in           \
 * sets of FI_SUM_BYTES for dW, then a chunk per output for db), so that every sum runs   \
 * over the same examples in the same lanes and order as over the whole block, to the    \
 * bit. */                                                                                \
FI_KERNEL void fi_block_weight_gradient_##SUFFIX(const T* dZ, ptrdiff_t lddz, const T* A,    \
                                              ptrdiff_t lda, T* dW, T* db, T* lanes,      \
                                              int phase, ptrdiff_t n_out, ptrdiff_t n_in, \
                                              ptrdiff_t width)                            \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX, TR = FI_TILE_ROWS, G = NL < 4 ? NL : 4 };              \
    T* bias_lanes = lanes + n_out * n_in * NL * FI_PARTS;                                 \
    ptrdiff_t k = 0;                                                                      \
    if (fi_weights_by_input_##SUFFIX(phase, n_in, width)) {                               \
        fi_weight_gradient_by_input_##SUFFIX(dZ, lddz, A, lda, dW, n_out, n_in, width);   \
        k = n_in;                                                                         \
    }                                                                                     \
    for (; k + 2 * TR <= n_in; k += 2 * TR)                                               \
        fi_weight_columns_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_out, n_in, k,    \
                                   2 * TR, width);                                        \
    if (k + TR <= n_in) {                                                                 \
        fi_weight_columns_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase, n_out, n_in, k, TR, \
                                   width);                                                \
        k += TR;                                                                          \
    }                                                                                     \
    switch (n_in - k) {                                                                   \
    FI_REMAINDER_CASES(fi_weight_columns_##SUFFIX(dZ, lddz, A, lda, dW, lanes, phase,     \
                                                  n_out, n_in, k, FI_ROWS_LEFT, width))   \
    }                                                                                     \
    for (ptrdiff_t i0 = 0; i0 < n_out; i0 += NL) {                                        \
        V sums[FI_PARTS * NL];                                                            \
        for (int e = 0; e < FI_PARTS * NL; e++) sums[e] = fi_splat_##SUFFIX(0);           \
        for (int e = 0; e < NL && i0 + e < n_out; e += G) {                               \
            switch (n_out - i0 - e < G ? n_out - i0 - e : G) {                            \
            case 1: fi_bias_rows_##SUFFIX(dZ, lddz, bias_lanes, phase, i0 + e, 1, width, sums + e); break; \
            case 2: fi_bias_rows_##SUFFIX(dZ, lddz, bias_lanes, phase, i0 + e, 2, width, sums + e); break; \
            case 3: fi_bias_rows_##SUFFIX(dZ, lddz, bias_lanes, phase, i0 + e, 3, width, sums + e); break; \
            case 4: fi_bias_rows_##SUFFIX(dZ, lddz, bias_lanes, phase, i0 + e, 4, width, sums + e); break; \
            }                                                                             \
        }                                                                                 \
        if (!(phase & FI_FINISH)) continue;                                               \
        V total = fi_lane_totals_##SUFFIX(sums);                                          \
        for (int e = 0; e < NL && i0 + e < n_out; e++) db[i0 + e] = total[e];             \
    }                                                                                     \
}

FI_DEFINE_KERNELS(double, fi_vd, d)
FI_DEFINE_KERNELS(float, fi_vf, f)

/* The forward pass and the input gradient, in register tiles of FI_TILE_ROWS rows by
 * NC chunks of examples: defined as fi_block_forward_##SUFFIX and
 * fi_block_input_gradient_##SUFFIX with tiles of one chunk (for narrow layers, whose time
 * goes to starting and storing tiles rather than to their chains), and as
 * fi_block_forward_wide_##SUFFIX and fi_block_input_gradient_wide_##SUFFIX with tiles of
 * FI_TILE_CHUNKS chunks (for sums over FI_WIDE_INPUTS terms or more). Separate
 * functions, so that each keeps its registers. */
#define FI_DEFINE_TILED_KERNELS(T, V, SUFFIX, NAME, NC)                                   \
/* Rows i .. i + rows - 1 (rows <= FI_TILE_ROWS, a constant where inlined) of             \
 * Z = W @ A + b over the inputs k0..k1 of NC chunks: start from b on the first           \
 * panel (from 0 when bias_last, adding b after the last panel), from Z after;            \
 * max(., 0) after the last panel when relu. Each value is its own chain of               \
 * multiply-adds over the inputs in order, so the tile's shape never changes a bit. */    \
static inline __attribute__((always_inline)) void fi_forward_rows_##NAME(                 \
    const T* W, const T* b, const T* A, ptrdiff_t lda, T* Z, ptrdiff_t ldz, ptrdiff_t i,  \
    int rows, ptrdiff_t n_in, ptrdiff_t k0, ptrdiff_t k1, ptrdiff_t j0, int relu,         \
    int bias_last)                                                                        \
{                                                                                         \
    enum { NV = FI_VECS_##SUFFIX * NC, NL = FI_LANES_##SUFFIX };                          \
    int first = k0 == 0, last = k1 == n_in;                                               \
    V acc[FI_TILE_ROWS][NV];                                                              \
    for (int r = 0; r < rows; r++) {                                                      \
        T* z = Z + (i + r) * ldz + j0;                                                    \
        T start = bias_last ? 0 : b[i + r];                                               \
        for (int v = 0; v < NV; v++)                                                      \
            acc[r][v] = first ? fi_splat_##SUFFIX(start) : fi_load_##SUFFIX(z + v * NL);  \
    }                                                                                     \
    for (ptrdiff_t k = k0; k < k1; k++) {                                                 \
        const T* a = A + k * lda + j0;                                                    \
        V x[NV];                                                                          \
        for (int v = 0; v < NV; v++) x[v] = fi_load_##SUFFIX(a + v * NL);                 \
        for (int r = 0; r < rows; r++) {                                                  \
            V s = fi_splat_##SUFFIX(W[(i + r) * n_in + k]);                               \
            for (int v = 0; v < NV; v++) acc[r][v] = fi_fma_v##SUFFIX(s, x[v], acc[r][v]); \
        }                                                                                 \
    }                                                                                     \
    for (int r = 0; r < rows; r++) {                                                      \
        T* z = Z + (i + r) * ldz + j0;                                                    \
        for (int v = 0; v < NV; v++) {                                                    \
            if (last && bias_last) acc[r][v] += fi_splat_##SUFFIX(b[i + r]);              \
            fi_store_##SUFFIX(z + v * NL, last && relu ? fi_relu_##SUFFIX(acc[r][v])      \
                                                       : acc[r][v]);                      \
        }                                                                                 \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* Z = W @ A + b, then max(., 0) when relu: tiles of FI_TILE_ROWS rows of W by NC         \
 * chunks, the inputs in panels of FI_PANEL that stay in cache while every row uses       \
 * them; columns past the last whole tile go to the one-chunk kernel. With bias_last,     \
 * each value is summed as the plain loop does: from 0 over the inputs in order, then     \
 * + b. */                                                                                \
FI_KERNEL void fi_block_forward_##NAME(const T* W, const T* b, const T* A, ptrdiff_t lda,    \
                                    T* Z, ptrdiff_t ldz, ptrdiff_t n_out, ptrdiff_t n_in, \
                                    ptrdiff_t width, int relu, int bias_last)             \
{                                                                                         \
    enum { STEP = NC * FI_CHUNK_##SUFFIX };                                               \
    ptrdiff_t tiled = width - width % STEP;                                               \
    for (ptrdiff_t k0 = 0; k0 < n_in; k0 += FI_PANEL) {                                   \
        ptrdiff_t k1 = k0 + FI_PANEL < n_in ? k0 + FI_PANEL : n_in;                       \
        for (ptrdiff_t j0 = 0; j0 < tiled; j0 += STEP) {                                  \
            ptrdiff_t i = 0;                                                              \
            for (; i + FI_TILE_ROWS <= n_out; i += FI_TILE_ROWS)                          \
                fi_forward_rows_##NAME(W, b, A, lda, Z, ldz, i, FI_TILE_ROWS, n_in, k0,   \
                                       k1, j0, relu, bias_last);                          \
            switch (n_out - i) {                                                          \
            FI_REMAINDER_CASES(fi_forward_rows_##NAME(W, b, A, lda, Z, ldz, i, FI_ROWS_LEFT, \
                                                       n_in, k0, k1, j0, relu, bias_last)) \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
    if (NC > 1 && tiled < width)                                                          \
        fi_block_forward_##SUFFIX(W, b, A + tiled, lda, Z + tiled, ldz, n_out, n_in,      \
                                  width - tiled, relu, bias_last);                        \
}                                                                                         \
                                                                                          \
/* Inputs k .. k + cols - 1 (cols <= FI_TILE_ROWS, a constant where inlined) of           \
 * (W.T @ dZ) * (A > 0) over NC chunks, each value summed from 0 over the outputs in      \
 * order. */                                                                              \
static inline __attribute__((always_inline)) void fi_input_columns_##NAME(                \
    const T* W, const T* dZ, ptrdiff_t lddz, const T* A, ptrdiff_t lda, T* out,           \
    ptrdiff_t ldo, ptrdiff_t n_out, ptrdiff_t n_in, ptrdiff_t k, int cols, ptrdiff_t j0)  \
{                                                                                         \
    enum { NV = FI_VECS_##SUFFIX * NC, NL = FI_LANES_##SUFFIX };                          \
    V acc[FI_TILE_ROWS][NV];                                                              \
    for (int c = 0; c < cols; c++)                                                        \
        for (int v = 0; v < NV; v++) acc[c][v] = fi_splat_##SUFFIX(0);                    \
    for (ptrdiff_t i = 0; i < n_out; i++) {                                               \
        const T* dz = dZ + i * lddz + j0;                                                 \
        V d[NV];                                                                          \
        for (int v = 0; v < NV; v++) d[v] = fi_load_##SUFFIX(dz + v * NL);                \
        for (int c = 0; c < cols; c++) {                                                  \
            V s = fi_splat_##SUFFIX(W[i * n_in + k + c]);                                 \
            for (int v = 0; v < NV; v++) acc[c][v] = fi_fma_v##SUFFIX(s, d[v], acc[c][v]); \
        }                                                                                 \
    }                                                                                     \
    for (int c = 0; c < cols; c++)                                                        \
        for (int v = 0; v < NV; v++) {                                                    \
            if (A) acc[c][v] = fi_where_positive_##SUFFIX(                                \
                fi_load_##SUFFIX(A + (k + c) * lda + j0 + v * NL), acc[c][v]);            \
            fi_store_##SUFFIX(out + (k + c) * ldo + j0 + v * NL, acc[c][v]);              \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* dZ_prev = (W.T @ dZ) * (A > 0), the delta of the ReLU layer below, in tiles of         \
 * FI_TILE_ROWS inputs of W by NC chunks; columns past the last whole tile go to the      \
 * one-chunk kernel. A NULL A gives W.T @ dZ itself. */                                   \
FI_KERNEL void fi_block_input_gradient_##NAME(const T* W, const T* dZ, ptrdiff_t lddz,       \
                                           const T* A, ptrdiff_t lda, T* out,             \
                                           ptrdiff_t ldo, ptrdiff_t n_out,                \
                                           ptrdiff_t n_in, ptrdiff_t width)               \
{                                                                                         \
    enum { STEP = NC * FI_CHUNK_##SUFFIX };                                               \
    ptrdiff_t tiled = width - width % STEP;                                               \
    for (ptrdiff_t j0 = 0; j0 < tiled; j0 += STEP) {                                      \
        ptrdiff_t k = 0;                                                                  \
        for (; k + FI_TILE_ROWS <= n_in; k += FI_TILE_ROWS)                               \
            fi_input_columns_##NAME(W, dZ, lddz, A, lda, out, ldo, n_out, n_in, k,        \
                                    FI_TILE_ROWS, j0);                                    \
        switch (n_in - k) {                                                               \
        FI_REMAINDER_CASES(fi_input_columns_##NAME(W, dZ, lddz, A, lda, out, ldo, n_out,  \
                                                   n_in, k, FI_ROWS_LEFT, j0))            \
        }                                                                                 \
    }                                                                                     \
    if (NC > 1 && tiled < width)                                                          \
        fi_block_input_gradient_##SUFFIX(W, dZ + tiled, lddz, A ? A + tiled : A, lda,     \
                                         out + tiled, ldo, n_out, n_in, width - tiled);   \
}

FI_DEFINE_TILED_KERNELS(double, fi_vd, d, d, 1)
FI_DEFINE_TILED_KERNELS(float, fi_vf, f, f, 1)
FI_DEFINE_TILED_KERNELS(double, fi_vd, d, wide_d, FI_TILE_CHUNKS)
FI_DEFINE_TILED_KERNELS(float, fi_vf, f, wide_f, FI_TILE_CHUNKS)

/* c + a * b in one lane with one rounding, as the vector kernels compute it. */
static inline double fi_madd_d(double a, double b, double c)
{
    return fi_fused ? __builtin_fma(a, b, c) : a * b + c;
}
static inline float fi_madd_f(float a, float b, float c)
{
    return fi_fused ? __builtin_fmaf(a, b, c) : a * b + c;
}

/* How many of the last products of a sum over n examples are fused (fi_madd) rather
 * than rounded on their own: the rounding of fastinit's first whole-layer backward
 * pass, whose in-order sums the compiler vectorized (AVX2: 4 doubles, then 2, then one
 * scalar FMA; 8 floats, then 4, then scalar FMAs), kept so that results stay the same
 * bits. Every other product is rounded on its own (no build contracts a * b + c). */
#define FI_FUSED_TAIL_d(n) ((n) % 2)
#define FI_FUSED_TAIL_f(n) ((n) % 4)

/* dW = dZ @ A.T and db = dZ.sum(axis=1) over the first n columns, each value summed
 * from 0 over the examples in order, as a plain loop sums it (see FI_FUSED_TAIL).
 * Each lane of a vector holds one output row's sum, so a tile of one vector of rows
 * x K inputs (K a constant where the tile is inlined; with `bias` also the rows'
 * sums) runs its sums side by side without changing any of them. Rows past n_out
 * repeat the last row and are not stored. */
#define FI_DEFINE_SEQUENTIAL_WEIGHT_GRADIENT(T, V, SUFFIX)                                \
static inline __attribute__((always_inline)) void fi_sequential_tile_##SUFFIX(           \
    const T* dZ, ptrdiff_t lddz, const T* A, ptrdiff_t lda, T* dW, T* db, ptrdiff_t n_out, \
    ptrdiff_t n_in, ptrdiff_t i0, ptrdiff_t k0, int K, int bias, ptrdiff_t n)             \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    const T* rows[NL];                                                                    \
    for (int r = 0; r < NL; r++)                                                          \
        rows[r] = dZ + (i0 + r < n_out ? i0 + r : n_out - 1) * lddz;                      \
    V acc[4], sums = fi_splat_##SUFFIX(0);                                                \
    for (int c = 0; c < K; c++) acc[c] = fi_splat_##SUFFIX(0);                            \
    ptrdiff_t fused = n - FI_FUSED_TAIL_##SUFFIX(n), j = 0;                               \
    for (; j < fused; j++) {                                                              \
        V d;                                                                              \
        for (int r = 0; r < NL; r++) d[r] = rows[r][j];                                   \
        for (int c = 0; c < K; c++) {                                                     \
            acc[c] += d * fi_splat_##SUFFIX(A[(k0 + c) * lda + j]);                       \
        }                                                                                 \
        if (bias) sums += d;                                                              \
    }                                                                                     \
    for (; j < n; j++)                                                                    \
        for (int r = 0; r < NL; r++) {                                                   \
            for (int c = 0; c < K; c++)                                                   \
                acc[c][r] = fi_madd_##SUFFIX(rows[r][j], A[(k0 + c) * lda + j], acc[c][r]); \
            if (bias) sums[r] += rows[r][j];                                              \
        }                                                                                 \
    for (int r = 0; r < NL && i0 + r < n_out; r++) {                                      \
        for (int c = 0; c < K; c++) dW[(i0 + r) * n_in + k0 + c] = acc[c][r];             \
        if (bias) db[i0 + r] = sums[r];                                                   \
    }                                                                                     \
}                                                                                         \
                                                                                          \
FI_KERNEL void fi_sequential_weight_gradient_##SUFFIX(const T* dZ, ptrdiff_t lddz,           \
                                                   const T* A, ptrdiff_t lda, T* dW,      \
                                                   T* db, ptrdiff_t n_out,                \
                                                   ptrdiff_t n_in, ptrdiff_t n)           \
{                                                                                         \
    for (ptrdiff_t i0 = 0; i0 < n_out; i0 += FI_LANES_##SUFFIX) {                         \
        for (ptrdiff_t k0 = 0; k0 < n_in; k0 += 4) {                                      \
            int K = n_in - k0 < 4 ? (int)(n_in - k0) : 4, bias = k0 == 0;                 \
            switch (K * 2 + bias) {                                                       \
            FI_TILE_CASE(SUFFIX, 1) FI_TILE_CASE(SUFFIX, 2)                               \
            FI_TILE_CASE(SUFFIX, 3) FI_TILE_CASE(SUFFIX, 4)                               \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
}
#define FI_TILE_CASE(SUFFIX, K)                                                           \
    case K * 2: fi_sequential_tile_##SUFFIX(dZ, lddz, A, lda, dW, db, n_out, n_in, i0, k0, K, 0, n); break; \
    case K * 2 + 1: fi_sequential_tile_##SUFFIX(dZ, lddz, A, lda, dW, db, n_out, n_in, i0, k0, K, 1, n); break;

FI_DEFINE_SEQUENTIAL_WEIGHT_GRADIENT(double, fi_vd, d)
FI_DEFINE_SEQUENTIAL_WEIGHT_GRADIENT(float, fi_vf, f)

/* The register tile of the row-space products: FI_PRODUCT_ROWS rows of out by two
 * registers of columns, the shape of a BLAS micro-kernel (12 of the 16 AVX registers
 * accumulate, 2 hold B's columns, 1 a broadcast row value; 16 of the 32 AVX-512 ones). */
#if FI_AVX512_REGISTERS
#define FI_PRODUCT_ROWS 8
#define FI_PRODUCT_REMAINDER_CASES(CALL) FI_REMAINDER_CASE(1, CALL) FI_REMAINDER_CASE(2, CALL) \
    FI_REMAINDER_CASE(3, CALL) FI_REMAINDER_CASE(4, CALL) FI_REMAINDER_CASE(5, CALL) \
    FI_REMAINDER_CASE(6, CALL) FI_REMAINDER_CASE(7, CALL)
#else
#define FI_PRODUCT_ROWS 6
#define FI_PRODUCT_REMAINDER_CASES(CALL) FI_REMAINDER_CASE(1, CALL) FI_REMAINDER_CASE(2, CALL) \
    FI_REMAINDER_CASE(3, CALL) FI_REMAINDER_CASE(4, CALL) FI_REMAINDER_CASE(5, CALL)
#endif

/* out = A @ B for the row-space products (fastinit.row_space): A's element (i, k) at
 * A[i * sai + k * sak], so that A may be given transposed (a Gram matrix X.T @ X reads X
 * as it lies), B (k x p, p >= 2 registers of columns) and out row-major. Each value is
 * one chain of multiply-adds from 0 over k in order, the forward pass's sum, so neither
 * the tile nor the register width changes a bit. k runs in panels of FI_PANEL, each
 * value's chain carried in out from panel to panel; in a panel, bands of two registers
 * of columns, each copied to a contiguous block that stays in L1 while every tile of
 * rows reads it in turn (B's rows are far apart: read in place, a band misses L1 on
 * nearly every row, which took 3 times as long). The columns past the last
 * whole band are computed by a band that ends at column p: it overlaps the band before
 * it, stores only its own columns and discards the rest (whose carried values it read
 * before they were its own). With `diagonal` >= 0, only the tiles that reach
 * out[i, diagonal + i] or beyond: the upper triangle of a block of rows of a square
 * product, from row `diagonal` on. */
#define FI_DEFINE_PRODUCT(T, V, SUFFIX)                                                   \
static inline __attribute__((always_inline)) void fi_product_tile_##SUFFIX(               \
    const T* A, ptrdiff_t sai, ptrdiff_t sak, const T* band, T* out, ptrdiff_t ldo,       \
    ptrdiff_t i, int rows, ptrdiff_t j0, ptrdiff_t keep, ptrdiff_t k0, ptrdiff_t k1)      \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    V acc[FI_PRODUCT_ROWS][2];                                                            \
    for (int r = 0; r < rows; r++)                                                        \
        for (int v = 0; v < 2; v++)                                                       \
            acc[r][v] = k0 == 0 ? fi_splat_##SUFFIX(0)                                    \
                                : fi_load_##SUFFIX(out + (i + r) * ldo + j0 + v * NL);    \
    const T* a = A + i * sai;                                                             \
    for (ptrdiff_t k = k0; k < k1; k++) {                                                 \
        const T* b = band + (k - k0) * 2 * NL;                                                    \
        V x0 = fi_load_##SUFFIX(b), x1 = fi_load_##SUFFIX(b + NL);                        \
        for (int r = 0; r < rows; r++) {                                                  \
            V s = fi_splat_##SUFFIX(a[r * sai + k * sak]);                                \
            acc[r][0] = fi_fma_v##SUFFIX(s, x0, acc[r][0]);                               \
            acc[r][1] = fi_fma_v##SUFFIX(s, x1, acc[r][1]);                               \
        }                                                                                 \
    }                                                                                     \
    for (int r = 0; r < rows; r++) {                                                      \
        T* o = out + (i + r) * ldo + j0;                                                  \
        if (keep == 0) {                                                                  \
            fi_store_##SUFFIX(o, acc[r][0]);                                              \
            fi_store_##SUFFIX(o + NL, acc[r][1]);                                         \
            continue;                                                                     \
        }                                                                                 \
        T values[2 * NL];                                                                 \
        memcpy(values, acc[r], sizeof values);                                            \
        memcpy(o + keep, values + keep, sizeof(T) * (2 * NL - keep));                     \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* The band of columns j0 .. j0 + 2 NL - 1 (stored from j0 + keep on) over k0 .. k1,      \
 * every tile of rows in turn (those that reach the diagonal). */                         \
static inline __attribute__((always_inline)) void fi_product_band_##SUFFIX(               \
    const T* A, ptrdiff_t sai, ptrdiff_t sak, const T* B, ptrdiff_t ldb, T* out,          \
    ptrdiff_t ldo, ptrdiff_t n, ptrdiff_t j0, ptrdiff_t keep, ptrdiff_t k0, ptrdiff_t k1, \
    ptrdiff_t diagonal)                                                                   \
{                                                                                         \
    enum { PR = FI_PRODUCT_ROWS, NL = FI_LANES_##SUFFIX };                                \
    T band[FI_PANEL * 2 * NL];                                                            \
    for (ptrdiff_t k = k0; k < k1; k++)                                                   \
        memcpy(band + (k - k0) * 2 * NL, B + k * ldb + j0, sizeof(T) * 2 * NL);           \
    ptrdiff_t end = n, i = 0;                                                             \
    if (diagonal >= 0 && j0 + 2 * FI_LANES_##SUFFIX - diagonal < end)                     \
        end = j0 + 2 * FI_LANES_##SUFFIX - diagonal;                                      \
    for (; i + PR <= end; i += PR)                                                        \
        fi_product_tile_##SUFFIX(A, sai, sak, band, out, ldo, i, PR, j0, keep, k0, k1);   \
    if (i < end)                                                                          \
        switch (n - i < PR ? n - i : PR) {                                                \
        FI_PRODUCT_REMAINDER_CASES(fi_product_tile_##SUFFIX(A, sai, sak, band, out, ldo,  \
                                                            i, FI_ROWS_LEFT, j0, keep, k0, \
                                                            k1))                          \
        default: fi_product_tile_##SUFFIX(A, sai, sak, band, out, ldo, i, PR, j0, keep,   \
                                          k0, k1);                                        \
        }                                                                                 \
}                                                                                         \
                                                                                          \
FI_KERNEL void fi_block_product_##SUFFIX(const T* A, ptrdiff_t sai, ptrdiff_t sak, \
                                                const T* B, ptrdiff_t ldb, T* out,        \
                                                ptrdiff_t ldo, ptrdiff_t n, ptrdiff_t p,  \
                                                ptrdiff_t k, ptrdiff_t diagonal)          \
{                                                                                         \
    enum { BAND = 2 * FI_LANES_##SUFFIX };                                                \
    ptrdiff_t first = diagonal < 0 ? 0 : diagonal / BAND * BAND;                          \
    for (ptrdiff_t k0 = 0; k0 < k; k0 += FI_PANEL) {                                      \
        ptrdiff_t k1 = k0 + FI_PANEL < k ? k0 + FI_PANEL : k, j0 = first;                 \
        for (; j0 + BAND <= p; j0 += BAND)                                                \
            fi_product_band_##SUFFIX(A, sai, sak, B, ldb, out, ldo, n, j0, 0, k0, k1,     \
                                     diagonal);                                           \
        if (j0 < p)                                                                       \
            fi_product_band_##SUFFIX(A, sai, sak, B, ldb, out, ldo, n, p - BAND,          \
                                     j0 - (p - BAND), k0, k1, diagonal);                  \
    }                                                                                     \
}

FI_DEFINE_PRODUCT(double, fi_vd, d)
FI_DEFINE_PRODUCT(float, fi_vf, f)


/* exp on every lane, without libm or errno, so compilers keep it in registers:
 * Cody-Waite reduction x = n ln2 + r with |r| <= ln2/2, a Taylor polynomial for
 * e^r (degree 13 in double, truncation below 4e-18 relative; degree 7 in
 * float), and 2^n assembled from its exponent bits. Within 2 ulp of the
 * correctly rounded result on [-708, 709] (float: [-87, 88]); inputs beyond are
 * clamped, so the result saturates to about 3e-308 or 8e307 instead of 0 or
 * inf (the sigmoid that uses it gives 0 and 1 to working precision either way). */
static inline fi_vd fi_exp_vd(fi_vd x)
{
    static const double c[] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                               1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0,
                               1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
    const fi_vd lo = fi_splat_d(-708.0), hi = fi_splat_d(709.0);
    const fi_vd shifter = fi_splat_d(6755399441055744.0);
    fi_vd t, n, r, p;
    fi_vl bits;
    x = (fi_vd)(((fi_vl)x & ~(x < lo)) | ((fi_vl)lo & (x < lo)));  /* NaN stays NaN */
    x = (fi_vd)(((fi_vl)x & ~(x > hi)) | ((fi_vl)hi & (x > hi)));
    t = fi_fma_vd(x, fi_splat_d(1.4426950408889634), shifter);
    n = t - shifter;
    r = fi_fma_vd(n, fi_splat_d(-6.93147180369123816490e-01), x);
    r = fi_fma_vd(n, fi_splat_d(-1.90821492927058770002e-10), r);
    p = fi_splat_d(1.0 / 6227020800.0);
    for (int k = 0; k < 13; k++) p = fi_fma_vd(p, r, fi_splat_d(c[k]));
    bits = ((fi_vl)t + 1023) << 52;
    return p * (fi_vd)bits;
}

static inline fi_vf fi_exp_vf(fi_vf x)
{
    static const float c[] = {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f,
                              0.5f, 1.0f, 1.0f};
    const fi_vf lo = fi_splat_f(-87.0f), hi = fi_splat_f(88.0f);
    const fi_vf shifter = fi_splat_f(12582912.0f);
    fi_vf t, n, r, p;
    fi_vi bits;
    x = (fi_vf)(((fi_vi)x & ~(x < lo)) | ((fi_vi)lo & (x < lo)));  /* NaN stays NaN */
    x = (fi_vf)(((fi_vi)x & ~(x > hi)) | ((fi_vi)hi & (x > hi)));
    t = fi_fma_vf(x, fi_splat_f(1.44269504f), shifter);
    n = t - shifter;
    r = fi_fma_vf(n, fi_splat_f(-6.93359375e-1f), x);
    r = fi_fma_vf(n, fi_splat_f(2.12194440e-4f), r);
    p = fi_splat_f(1.0f / 5040.0f);
    for (int k = 0; k < 7; k++) p = fi_fma_vf(p, r, fi_splat_f(c[k]));
    bits = ((fi_vi)t + 127) << 23;
    return p * (fi_vf)bits;
}

/* dZ = (sigmoid(Z) - Y) * inv_m for the first nb columns, 0 up to width; a whole
 * vector at a time where nb allows, one lane at a time (same arithmetic) after. */
#define FI_DEFINE_OUTPUT_DELTA(T, V, SUFFIX, EXP)                                         \
FI_KERNEL void fi_block_output_delta_##SUFFIX(const T* Z, ptrdiff_t ldz, const T* Y,         \
                                           ptrdiff_t ldy, T* dZ, ptrdiff_t lddz,          \
                                           ptrdiff_t n, ptrdiff_t nb, ptrdiff_t width,    \
                                           T inv_m)                                       \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    V one = fi_splat_##SUFFIX(1), scale = fi_splat_##SUFFIX(inv_m);                       \
    for (ptrdiff_t i = 0; i < n; i++) {                                                   \
        const T* z = Z + i * ldz;                                                         \
        const T* y = Y + i * ldy;                                                         \
        T* d = dZ + i * lddz;                                                             \
        ptrdiff_t j = 0;                                                                  \
        for (; j + NL <= nb; j += NL) {                                                   \
            V s = one / (one + EXP(-fi_load_##SUFFIX(z + j)));                            \
            fi_store_##SUFFIX(d + j, scale * (s - fi_load_##SUFFIX(y + j)));              \
        }                                                                                 \
        for (; j < nb; j++) {                                                             \
            V s = one / (one + EXP(-fi_splat_##SUFFIX(z[j])));                            \
            d[j] = inv_m * (s[0] - y[j]);                                                 \
        }                                                                                 \
        for (; j < width; j++) d[j] = 0;                                                  \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* a = sigmoid(z) = 1 / (1 + exp(-z)) on n values, with the arithmetic of the output       \
 * delta above. */                                                                        \
FI_KERNEL void fi_sigmoid_##SUFFIX(const T* z, T* a, ptrdiff_t n)                            \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    V one = fi_splat_##SUFFIX(1);                                                         \
    ptrdiff_t j = 0;                                                                      \
    for (; j + NL <= n; j += NL)                                                          \
        fi_store_##SUFFIX(a + j, one / (one + EXP(-fi_load_##SUFFIX(z + j))));           \
    for (; j < n; j++) a[j] = (one / (one + EXP(-fi_splat_##SUFFIX(z[j]))))[0];           \
}

FI_DEFINE_OUTPUT_DELTA(double, fi_vd, d, fi_exp_vd)
FI_DEFINE_OUTPUT_DELTA(float, fi_vf, f, fi_exp_vf)

/* Lanes of `yes` where `mask` is set, of `no` elsewhere. */
#define FI_SELECT(mask, yes, no) \
    ((__typeof__(yes))(((__typeof__(mask))(yes) & (mask)) | ((__typeof__(mask))(no) & ~(mask))))

/* c0 + c1 * r, one multiply-add: a pair of terms of Estrin's scheme. */
#define FI_PAIR_d(r, c0, c1) fi_fma_vd(r, fi_splat_d(c1), fi_splat_d(c0))
#define FI_PAIR_f(r, c0, c1) fi_fma_vf(r, fi_splat_f(c1), fi_splat_f(c0))

/* exp for the hidden activations: the same reduction and Taylor polynomial as
 * fi_exp_vd (so the same accuracy), the polynomial evaluated by Estrin's scheme,
 * whose dependency chain is 4 multiply-adds deep instead of 13, so that the
 * evaluations of neighbouring vectors overlap. (fi_exp_vd keeps its Horner
 * scheme: the output layer's bits depend on it.) Compiled per FI_KERNEL clone: GCC 12
 * does not inline it into the generic build's FMA clones (and fails, an internal
 * compiler error, where forced), and a copy for the baseline calls fma() lane by lane. */
FI_KERNEL static fi_vd fi_exp_short_vd(fi_vd x)
{
    const fi_vd lo = fi_splat_d(-708.0), hi = fi_splat_d(709.0);
    const fi_vd shifter = fi_splat_d(6755399441055744.0);
    fi_vd t, n, r, r2, r4, r8, low, middle, high;
    x = FI_SELECT(x < lo, lo, x);
    x = FI_SELECT(x > hi, hi, x);
    t = fi_fma_vd(x, fi_splat_d(1.4426950408889634), shifter);
    n = t - shifter;
    r = fi_fma_vd(n, fi_splat_d(-6.93147180369123816490e-01), x);
    r = fi_fma_vd(n, fi_splat_d(-1.90821492927058770002e-10), r);
    r2 = r * r;
    r4 = r2 * r2;
    r8 = r4 * r4;
    low = fi_fma_vd(r2, FI_PAIR_d(r, 0.5, 1.0 / 6.0), 1.0 + r);
    middle = fi_fma_vd(r2, FI_PAIR_d(r, 1.0 / 720.0, 1.0 / 5040.0),
                       FI_PAIR_d(r, 1.0 / 24.0, 1.0 / 120.0));
    high = fi_fma_vd(r2, FI_PAIR_d(r, 1.0 / 3628800.0, 1.0 / 39916800.0),
                     FI_PAIR_d(r, 1.0 / 40320.0, 1.0 / 362880.0));
    high = fi_fma_vd(r4, FI_PAIR_d(r, 1.0 / 479001600.0, 1.0 / 6227020800.0), high);
    return fi_fma_vd(r8, high, fi_fma_vd(r4, middle, low)) * (fi_vd)(((fi_vl)t + 1023) << 52);
}

FI_KERNEL static fi_vf fi_exp_short_vf(fi_vf x)
{
    const fi_vf lo = fi_splat_f(-87.0f), hi = fi_splat_f(88.0f);
    const fi_vf shifter = fi_splat_f(12582912.0f);
    fi_vf t, n, r, r2, r4, low, high;
    x = FI_SELECT(x < lo, lo, x);
    x = FI_SELECT(x > hi, hi, x);
    t = fi_fma_vf(x, fi_splat_f(1.44269504f), shifter);
    n = t - shifter;
    r = fi_fma_vf(n, fi_splat_f(-6.93359375e-1f), x);
    r = fi_fma_vf(n, fi_splat_f(2.12194440e-4f), r);
    r2 = r * r;
    r4 = r2 * r2;
    low = fi_fma_vf(r2, FI_PAIR_f(r, 0.5f, 1.0f / 6.0f), 1.0f + r);
    high = fi_fma_vf(r2, FI_PAIR_f(r, 1.0f / 720.0f, 1.0f / 5040.0f),
                     FI_PAIR_f(r, 1.0f / 24.0f, 1.0f / 120.0f));
    return fi_fma_vf(r4, high, low) * (fi_vf)(((fi_vi)t + 127) << 23);
}

#define FI_SELU_ALPHA 1.6732632423543772
#define FI_SELU_SCALE 1.0507009873554805

/* Whether every lane of a comparison's mask is set. */
static inline __attribute__((always_inline)) int fi_all_set_l(fi_vl mask)
{
#if FI_VECTOR_BYTES == 64 && defined(__AVX512DQ__)
    return _mm512_movepi64_mask((__m512i)mask) == 0xFF;
#elif FI_VECTOR_BYTES == 32 && defined(__AVX__)
    return _mm256_movemask_pd((__m256d)mask) == 0xF;
#else
    int all = 1;
    for (int l = 0; l < (int)(sizeof mask / sizeof mask[0]); l++) all &= mask[l] != 0;
    return all;
#endif
}

static inline __attribute__((always_inline)) int fi_all_set_i(fi_vi mask)
{
#if FI_VECTOR_BYTES == 64 && defined(__AVX512DQ__)
    return _mm512_movepi32_mask((__m512i)mask) == 0xFFFF;
#elif FI_VECTOR_BYTES == 32 && defined(__AVX__)
    return _mm256_movemask_ps((__m256)mask) == 0xFF;
#else
    int all = 1;
    for (int l = 0; l < (int)(sizeof mask / sizeof mask[0]); l++) all &= mask[l] != 0;
    return all;
#endif
}

/* tanh as Cephes computes it: x + x^3 P(x^2) / Q(x^2) for |x| < 0.625, else
 * (1 - e) / (1 + e) with e = exp(-2|x|), the sign restored; both branches share one
 * division. Within a few ulp of libm's. exp is skipped where no lane needs it (most
 * vectors of a deep tanh network near the edge of chaos, whose signals shrink with
 * depth): the lanes' bits are the same either way. */
static inline fi_vd fi_tanh_vd(fi_vd x)
{
    const fi_vd one = fi_splat_d(1.0);
    fi_vl sign = (fi_vl)x & (fi_vl)fi_splat_d(-0.0);
    fi_vd ax = (fi_vd)((fi_vl)x ^ sign), z = ax * ax;
    fi_vd p = fi_fma_vd(fi_fma_vd(fi_splat_d(-9.64399179425052238628e-1), z,
                                  fi_splat_d(-9.92877231001918586564e1)),
                        z, fi_splat_d(-1.61468768441708447952e3));
    fi_vd q = fi_fma_vd(fi_fma_vd(z + 1.12811678491632931402e2, z,
                                  fi_splat_d(2.23548839060100448583e3)),
                        z, fi_splat_d(4.84406305325125486048e3));
    __typeof__(ax < one) small = ax < fi_splat_d(0.625);
    fi_vd rational = ax * fi_fma_vd(z, p, q);
    if (fi_all_set_l((fi_vl)small)) return (fi_vd)((fi_vl)(rational / q) ^ sign);
    fi_vd e = fi_exp_short_vd(-2.0 * ax);
    fi_vd numerator = FI_SELECT(small, rational, one - e);
    fi_vd denominator = FI_SELECT(small, q, one + e);
    return (fi_vd)((fi_vl)(numerator / denominator) ^ sign);
}

static inline fi_vf fi_tanh_vf(fi_vf x)
{
    static const float c[] = {2.06390887954e-2f, -5.37397155531e-2f, 1.33314422036e-1f,
                              -3.33332819422e-1f};
    const fi_vf one = fi_splat_f(1.0f);
    fi_vi sign = (fi_vi)x & (fi_vi)fi_splat_f(-0.0f);
    fi_vf ax = (fi_vf)((fi_vi)x ^ sign), z = ax * ax;
    fi_vf p = fi_splat_f(-5.70498872745e-3f);
    for (int k = 0; k < 4; k++) p = fi_fma_vf(p, z, fi_splat_f(c[k]));
    __typeof__(ax < one) small = ax < fi_splat_f(0.625f);
    fi_vf polynomial = fi_fma_vf(ax * z, p, ax);
    if (fi_all_set_i((fi_vi)small)) return (fi_vf)((fi_vi)polynomial ^ sign);
    fi_vf e = fi_exp_short_vf(-2.0f * ax);
    fi_vf result = FI_SELECT(small, polynomial, (one - e) / (one + e));
    return (fi_vf)((fi_vi)result ^ sign);
}

/* exp(x) - 1 for x <= 0 (SELU's negative branch): a Taylor polynomial where the
 * subtraction would cancel (x > -ln2/2), exp(x) - 1 below. */
static inline fi_vd fi_expm1_negative_vd(fi_vd x)
{
    fi_vd p = fi_splat_d(1.0 / 87178291200.0);
    static const double c[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                               1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
                               1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
                               1.0 / 6.0, 0.5, 1.0};
    for (int k = 0; k < 13; k++) p = fi_fma_vd(p, x, fi_splat_d(c[k]));
    return FI_SELECT(x > fi_splat_d(-0.34657359027997264), p * x,
                     fi_exp_short_vd(x) - 1.0);
}

static inline fi_vf fi_expm1_negative_vf(fi_vf x)
{
    fi_vf p = fi_splat_f(1.0f / 40320.0f);
    static const float c[] = {1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f,
                              1.0f / 6.0f, 0.5f, 1.0f};
    for (int k = 0; k < 7; k++) p = fi_fma_vf(p, x, fi_splat_f(c[k]));
    return FI_SELECT(x > fi_splat_f(-0.34657359f), p * x, fi_exp_short_vf(x) - 1.0f);
}

/* a = phi(z) for a hidden activation (FI_RELU ... FI_LINEAR; `slope`: leaky ReLU's
 * negative slope) on n values; a may be z. The last values go through one lane of
 * the same vector code, so every value gets the same bits wherever it falls. */
#define FI_DEFINE_ACTIVATIONS(T, V, SUFFIX, EXP, TANH, EXPM1)                            \
static inline V fi_activation_v##SUFFIX(V z, int kind, T slope)                           \
{                                                                                         \
    V zero = fi_splat_##SUFFIX(0), one = fi_splat_##SUFFIX(1);                            \
    switch (kind) {                                                                       \
    case FI_RELU: return fi_relu_##SUFFIX(z);                                             \
    case FI_LEAKY_RELU: return FI_SELECT(z > zero, z, z * slope);                         \
    case FI_TANH: return TANH(z);                                                         \
    case FI_SIGMOID: return one / (one + EXP(-z));                                        \
    case FI_SELU:                                                                         \
        return (T)FI_SELU_SCALE * FI_SELECT(z > zero, z,                                  \
                                            (T)FI_SELU_ALPHA * EXPM1(FI_SELECT(z > zero, zero, z))); \
    default: return z;                                                                    \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* d * phi'(z), phi' written in terms of a = phi(z): the z > 0 branch only for      \
 * a > 0 (so ReLU's derivative at 0 is 0, leaky ReLU's the slope). */                     \
static inline V fi_activation_derivative_v##SUFFIX(V a, V d, int kind, T slope)           \
{                                                                                         \
    V zero = fi_splat_##SUFFIX(0), one = fi_splat_##SUFFIX(1);                            \
    switch (kind) {                                                                       \
    case FI_RELU: return fi_where_positive_##SUFFIX(a, d);                                \
    case FI_LEAKY_RELU: return FI_SELECT(a > zero, d, d * slope);                         \
    case FI_TANH: return d * (one - a * a);                                               \
    case FI_SIGMOID: return d * (a * (one - a));                                          \
    case FI_SELU:                                                                         \
        return d * FI_SELECT(a > zero, fi_splat_##SUFFIX((T)FI_SELU_SCALE),               \
                             a + (T)(FI_SELU_SCALE * FI_SELU_ALPHA));                     \
    default: return d;                                                                    \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* Four vectors at a time, so that the long dependency chains of exp overlap. */      \
static inline __attribute__((always_inline)) void fi_activate_kind_##SUFFIX(              \
    const T* z, T* a, ptrdiff_t n, int kind, T slope)                                     \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    ptrdiff_t j = 0;                                                                      \
    for (; j + 4 * NL <= n; j += 4 * NL) {                                                \
        V x[4];                                                                           \
        for (int v = 0; v < 4; v++)                                                       \
            x[v] = fi_activation_v##SUFFIX(fi_load_##SUFFIX(z + j + v * NL), kind, slope); \
        for (int v = 0; v < 4; v++) fi_store_##SUFFIX(a + j + v * NL, x[v]);              \
    }                                                                                     \
    for (; j + NL <= n; j += NL)                                                          \
        fi_store_##SUFFIX(a + j, fi_activation_v##SUFFIX(fi_load_##SUFFIX(z + j), kind, slope)); \
    for (; j < n; j++)                                                                    \
        a[j] = fi_activation_v##SUFFIX(fi_splat_##SUFFIX(z[j]), kind, slope)[0];          \
}                                                                                         \
                                                                                          \
FI_KERNEL void fi_activate_##SUFFIX(const T* z, T* a, ptrdiff_t n, int kind, T slope)        \
{                                                                                         \
    switch (kind) {                                                                       \
    case FI_RELU: fi_activate_kind_##SUFFIX(z, a, n, FI_RELU, slope); break;              \
    case FI_LEAKY_RELU: fi_activate_kind_##SUFFIX(z, a, n, FI_LEAKY_RELU, slope); break;  \
    case FI_TANH: fi_activate_kind_##SUFFIX(z, a, n, FI_TANH, slope); break;              \
    case FI_SIGMOID: fi_activate_kind_##SUFFIX(z, a, n, FI_SIGMOID, slope); break;        \
    case FI_SELU: fi_activate_kind_##SUFFIX(z, a, n, FI_SELU, slope); break;              \
    default: if (a != z) memcpy(a, z, n * sizeof(T));                                     \
    }                                                                                     \
}                                                                                         \
                                                                                          \
static inline __attribute__((always_inline)) void fi_activation_delta_kind_##SUFFIX(      \
    const T* a, const T* d, T* out, ptrdiff_t n, int kind, T slope, T keep)               \
{                                                                                         \
    enum { NL = FI_LANES_##SUFFIX };                                                      \
    ptrdiff_t j = 0;                                                                      \
    for (; j + NL <= n; j += NL)                                                          \
        fi_store_##SUFFIX(out + j, fi_activation_derivative_v##SUFFIX(                    \
            fi_load_##SUFFIX(a + j) * keep, fi_load_##SUFFIX(d + j), kind, slope));       \
    for (; j < n; j++)                                                                    \
        out[j] = fi_activation_derivative_v##SUFFIX(fi_splat_##SUFFIX(a[j] * keep),       \
                                                    fi_splat_##SUFFIX(d[j]), kind, slope)[0]; \
}                                                                                         \
                                                                                          \
/* out = d * phi'(z) on n values, from a = phi(z) / keep (a dropped-out layer's        \
 * values; keep = 1 without dropout); out may be d. */                                   \
FI_KERNEL void fi_activation_delta_##SUFFIX(const T* a, const T* d, T* out, ptrdiff_t n,     \
                                         int kind, T slope, T keep)                       \
{                                                                                         \
    switch (kind) {                                                                       \
    case FI_RELU: fi_activation_delta_kind_##SUFFIX(a, d, out, n, FI_RELU, slope, keep); break; \
    case FI_LEAKY_RELU:                                                                   \
        fi_activation_delta_kind_##SUFFIX(a, d, out, n, FI_LEAKY_RELU, slope, keep); break; \
    case FI_TANH: fi_activation_delta_kind_##SUFFIX(a, d, out, n, FI_TANH, slope, keep); break; \
    case FI_SIGMOID:                                                                      \
        fi_activation_delta_kind_##SUFFIX(a, d, out, n, FI_SIGMOID, slope, keep); break;  \
    case FI_SELU: fi_activation_delta_kind_##SUFFIX(a, d, out, n, FI_SELU, slope, keep); break; \
    default: if (out != d) memcpy(out, d, n * sizeof(T));                                 \
    }                                                                                     \
}

FI_DEFINE_ACTIVATIONS(double, fi_vd, d, fi_exp_short_vd, fi_tanh_vd, fi_expm1_negative_vd)
FI_DEFINE_ACTIVATIONS(float, fi_vf, f, fi_exp_short_vf, fi_tanh_vf, fi_expm1_negative_vf)

/* n rounds of 12 independent chains of float64 multiply-adds a = a * b + c, one
 * vector each: enough to keep two FMA pipes busy through their latency, so that
 * 12 * FI_LANES_d * 2 * n operations over the seconds taken give this build's peak
 * (benchmarks/report.py puts GFLOP/s in proportion with it). Returns a checksum,
 * so that the work is not optimized away. */
static double fi_fma_chains(long n, double start)
{
    fi_vd b = fi_splat_d(0.9999999), c = fi_splat_d(1e-9), a[12];
    for (int i = 0; i < 12; i++) a[i] = b * (start * (i + 1));
    for (long k = 0; k < n; k++)
        for (int i = 0; i < 12; i++) a[i] = fi_fma_vd(a[i], b, c);
    fi_vd total = a[0];
    for (int i = 1; i < 12; i++) total += a[i];
    return total[0];
}

/* exp of one number: one lane of the vector version, so scalar and vector code
 * give the same bits. */
static inline double fi_exp(double x) { return fi_exp_vd(fi_splat_d(x))[0]; }
static inline float fi_expf(float x) { return fi_exp_vf(fi_splat_f(x))[0]; }

/* log(1 + x) for 0 <= x <= 1, within an ulp, from + - * / alone, so that every
 * build and libm gives the same bits: 1 + x = w + err with w = 2^k (1 + f),
 * |f| < sqrt(2) - 1, and log(1 + f) = 2 atanh(s), s = f / (2 + f), a minimax
 * polynomial in s^2 beyond its first term. */
static inline double fi_log1p(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    static const double lg[] = {1.479819860511658591e-01, 1.531383769920937332e-01,
                                1.818357216161805012e-01, 2.222219843214978396e-01,
                                2.857142874366239149e-01, 3.999999999940941908e-01,
                                6.666666666666735130e-01};
    double w = 1.0 + x;
    if (w == 1.0) return x;
    double correction = (x - (w - 1.0)) / w;
    int k = w > 1.4142135623730951;
    double f = k ? w * 0.5 - 1.0 : w - 1.0;
    double s = f / (2.0 + f), z = s * s, R = lg[0];
    for (int i = 1; i < 7; i++) R = R * z + lg[i];
    R = R * z;
    double half_square = 0.5 * f * f;
    return k * ln2_hi + (f - (half_square - (s * (half_square + R) + (k * ln2_lo + correction))));
}

/* x^n for an integer n >= 0, correctly rounded but for ties closer than 2^-100:
 * binary powering in double-double (products split exactly by fma). The same bits
 * on every CPU and C library, unlike pow(). */
static inline void fi_product_dd(double* hi, double* lo, double b_hi, double b_lo)
{
    double p = *hi * b_hi;
    double e = __builtin_fma(*hi, b_hi, -p) + (*hi * b_lo + *lo * b_hi);
    *hi = p + e;
    *lo = e - (*hi - p);
}

static inline double fi_power(double x, long long n)
{
    double hi = 1.0, lo = 0.0, base_hi = x, base_lo = 0.0;
    for (; n > 0; n >>= 1) {
        if (n & 1) fi_product_dd(&hi, &lo, base_hi, base_lo);
        if (n > 1) fi_product_dd(&base_hi, &base_lo, base_hi, base_lo);
    }
    return hi + lo;
}

#endif

/* What the compiled core (_kernels_core.pyx, compiled once) calls in one build of
 * the kernels (_kernels_build.c: _simd.h compiled for one instruction set).
 *
 * setup.py links the core's object file with each build's into one module
 * (fastinit._kernels_generic, _kernels_avx2, ...), so the Cython code, most of
 * what there is to compile, is compiled once, and only _simd.h once per
 * instruction set. The functions are hidden: each module sees its own build's.
 * Every constant here is the same in every build.
 */
#ifndef FASTINIT_KERNELS_API_H
#define FASTINIT_KERNELS_API_H

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define FI_HIDDEN __attribute__((visibility("hidden")))
#else
#define FI_HIDDEN
#endif

/* Blocks are padded to a multiple of FI_CHUNK_MAX examples, which every build's
 * chunk divides (see _simd.h). */
#define FI_CHUNK_MAX 32
/* Sums over fewer terms than this (a narrow layer's inputs or outputs) keep tiles of
 * one chunk: their time goes to starting and storing the tile, not to its chains. */
#define FI_WIDE_INPUTS 16
/* The phases of a block that comes in pieces (fi_block_weight_gradient): the first
 * piece starts the sums, the last one finishes them; a whole block is both. */
enum { FI_START = 1, FI_FINISH = 2 };
/* Bytes of the partial sums of one weight, and of one bias, kept between pieces in
 * any build: one vector (at most 64 bytes), and a chunk of doubles or floats. */
#define FI_WEIGHT_LANE_BYTES 64
#define FI_BIAS_LANE_BYTES 128
/* Hidden activations: the codes of activations.ACTIVATIONS, in its order. */
enum { FI_RELU = 0, FI_LEAKY_RELU = 1, FI_TANH = 2, FI_SIGMOID = 3, FI_SELU = 4,
       FI_LINEAR = 5 };

#define FI_DECLARE_KERNELS(T, S)                                                          \
FI_HIDDEN void fi_block_forward_##S(const T* W, const T* b, const T* A, ptrdiff_t lda,    \
                                    T* Z, ptrdiff_t ldz, ptrdiff_t n_out, ptrdiff_t n_in, \
                                    ptrdiff_t width, int relu, int bias_last);            \
FI_HIDDEN void fi_block_forward_wide_##S(const T* W, const T* b, const T* A,              \
                                         ptrdiff_t lda, T* Z, ptrdiff_t ldz,              \
                                         ptrdiff_t n_out, ptrdiff_t n_in, ptrdiff_t width, \
                                         int relu, int bias_last);                        \
FI_HIDDEN void fi_block_weight_gradient_##S(const T* dZ, ptrdiff_t lddz, const T* A,      \
                                            ptrdiff_t lda, T* dW, T* db, T* lanes,        \
                                            int phase, ptrdiff_t n_out, ptrdiff_t n_in,   \
                                            ptrdiff_t width);                             \
FI_HIDDEN void fi_block_input_gradient_##S(const T* W, const T* dZ, ptrdiff_t lddz,       \
                                           const T* A, ptrdiff_t lda, T* out,             \
                                           ptrdiff_t ldo, ptrdiff_t n_out, ptrdiff_t n_in, \
                                           ptrdiff_t width);                              \
FI_HIDDEN void fi_block_input_gradient_wide_##S(const T* W, const T* dZ, ptrdiff_t lddz,  \
                                                const T* A, ptrdiff_t lda, T* out,        \
                                                ptrdiff_t ldo, ptrdiff_t n_out,           \
                                                ptrdiff_t n_in, ptrdiff_t width);         \
FI_HIDDEN void fi_sequential_weight_gradient_##S(const T* dZ, ptrdiff_t lddz, const T* A, \
                                                 ptrdiff_t lda, T* dW, T* db,             \
                                                 ptrdiff_t n_out, ptrdiff_t n_in,         \
                                                 ptrdiff_t n);                            \
FI_HIDDEN void fi_block_product_##S(const T* A, ptrdiff_t sai, ptrdiff_t sak, const T* B, \
                                    ptrdiff_t ldb, T* out, ptrdiff_t ldo, ptrdiff_t n,    \
                                    ptrdiff_t p, ptrdiff_t k, ptrdiff_t diagonal);        \
FI_HIDDEN void fi_block_output_delta_##S(const T* Z, ptrdiff_t ldz, const T* Y,           \
                                         ptrdiff_t ldy, T* dZ, ptrdiff_t lddz,            \
                                         ptrdiff_t n, ptrdiff_t nb, ptrdiff_t width,      \
                                         T inv_m);                                        \
FI_HIDDEN void fi_sigmoid_##S(const T* z, T* a, ptrdiff_t n);                             \
FI_HIDDEN void fi_activate_##S(const T* z, T* a, ptrdiff_t n, int kind, T slope);         \
FI_HIDDEN void fi_activation_delta_##S(const T* a, const T* d, T* out, ptrdiff_t n,       \
                                       int kind, T slope, T keep);                        \
FI_HIDDEN void fi_mask_##S(const T* where, const T* value, T* out, ptrdiff_t n);

FI_DECLARE_KERNELS(double, d)
FI_DECLARE_KERNELS(float, f)

/* One lane of the build's arithmetic, for the core's scalar loops: the same bits
 * as the vector kernels (see _simd.h for each). */
FI_HIDDEN double fi_build_exp(double x);
FI_HIDDEN float fi_build_expf(float x);
FI_HIDDEN double fi_build_log1p(double x);
FI_HIDDEN double fi_build_power(double x, long long n);
FI_HIDDEN double fi_build_madd_d(double a, double b, double c);
FI_HIDDEN float fi_build_madd_f(float a, float b, float c);

/* What the build is: its instruction set, how it multiplies and adds, the doubles
 * in one of its registers, and its float64 multiply-add chains (fma_peak). */
FI_HIDDEN const char* fi_build_instruction_set(void);
FI_HIDDEN const char* fi_build_fma_kind(void);
FI_HIDDEN int fi_build_lanes_d(void);
FI_HIDDEN double fi_build_fma_chains(long n, double start);

#endif

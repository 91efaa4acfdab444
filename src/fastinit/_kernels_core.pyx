# cython: language_level=3
# The compiled core of fastinit. Compiled once, and linked by setup.py with each
# build of the kernels (``_kernels_build.c``: ``_simd.h`` for the baseline
# instruction set, AVX2/FMA or AVX-512) into one module per build
# (``_kernels_generic``, ``_kernels_avx2``, ``_kernels_avx512``); ``_kernels.py``
# picks one at import. What this code calls in a build is ``_kernels_api.h``.
#
# Three layers, as in scikit-learn's ``_loss`` module:
#
# 1. ``cdef ... noexcept nogil`` inline helpers for the per-element math;
# 2. ``cdef`` loops over arrays, written on raw pointers with a leading
#    dimension (``ld*``, the distance between rows), so a caller can hand them
#    any block of examples;
# 3. a few ``def`` entry points that ``network.py`` and ``training.py`` call with
#    validated arrays.
#
# Storage (all C-contiguous, one dtype, float32 or float64):
#
# * ``theta``: every parameter in one flat vector, layer by layer: ``W_l`` as
#   ``(n_l, n_{l-1})`` row-major at ``w_off[l-1]``, then ``b_l`` at ``b_off[l-1]``.
#   Gradients use the same layout.
# * activations: ``(n_l, m)`` row-major, the course's layout, so the inner loops
#   run over contiguous examples.
#
# Training (``descend``) walks the examples in fixed blocks of ``block`` columns:
# forward, output delta and backward for one block while it is in cache. Runs of
# consecutive blocks (groups) go to threads; each group's gradient is summed in
# block order into its own slot, then the slots are summed in group order. Block
# and group sizes depend only on the network and m, so every thread count gives
# the same bits. The innermost loops (``_simd.h``) run over CHUNK contiguous examples
# held in SIMD registers, one partial sum per lane of 64 bytes whatever the register
# width, so every build (generic, AVX2, AVX-512) sums in the same order: the same bits.
#
# The embedding calls (fi.forward, fi.backward, predictions) have entry points of
# their own at the end: whole-layer passes that keep every layer, and inference
# that keeps only the output. They take NumPy arrays through NumPy's C API, which
# costs far less per call than typed memoryviews.

import time

import numpy as np

cimport numpy as cnp
from cython cimport floating
from cpython.ref cimport PyObject
from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport uintptr_t
from libc.math cimport fabs, floor, isfinite, sqrt
from libc.string cimport memcpy, memset

cnp.import_array()

cdef extern from "Python.h":
    int PyErr_CheckSignals()     # declared without an exception value: the error stays set
    PyObject* PyErr_Occurred()   # a borrowed reference, or NULL


# ---------------------------------------------------------------------------
# Interrupts. Long loops call _check_interrupt every ``check_every`` steps (a
# few milliseconds of work): it briefly takes the GIL to run Python's signal
# handlers (which raise KeyboardInterrupt for Ctrl-C in the main thread). A run
# may be given a stop token (``stop``: one int that another thread sets to ask
# for a stop, ``fastinit.threads.StopToken``), which is then the loop's
# ``interrupted`` flag itself; the loop finishes the step it is in and returns.
# A token stops only the runs that hold it, never another run of the process.
# ---------------------------------------------------------------------------

cdef void _check_interrupt(int* interrupted) noexcept nogil:
    """Set ``interrupted[0]`` when a signal handler raised (its exception then
    stays set, for the entry point to raise); a stop token may have set it."""
    if interrupted[0]:
        return
    with gil:
        if PyErr_CheckSignals() != 0:
            interrupted[0] = 1


cdef int _raise_interrupt() except -1:
    """After an interrupted loop: the pending exception (a signal handler's), or
    KeyboardInterrupt for a requested stop."""
    if PyErr_Occurred() != NULL:
        return -1
    raise KeyboardInterrupt("training stopped: a stop was requested")


cdef int* _stop_flag(int[::1] stop, int* own) except NULL:
    """The interrupted flag of a run: the stop token's int, else ``own``."""
    if stop is None:
        return own
    _check_size(stop.shape[0], 1, "stop")
    return &stop[0]

cdef extern from "_cpu.h" nogil:
    int fi_cpu_has_avx2_fma()
    int fi_cpu_has_avx512()
    int FI_OPENMP
    double fi_seconds()

cdef extern from "_kernels_api.h":
    enum: CHUNK "FI_CHUNK_MAX"   # blocks are padded to a multiple of this (see _simd.h)
    enum: FI_START, FI_FINISH     # the phases of a block that comes in pieces
    enum: FI_WEIGHT_LANE_BYTES, FI_BIAS_LANE_BYTES

cdef extern from "_kernels_api.h" nogil:
    const char* fi_build_instruction_set()
    const char* fi_build_fma_kind()
    int fi_build_lanes_d()
    double fi_build_fma_chains(long n, double start)

cdef extern from "_shuffle.h" nogil:
    void fi_permutation(Py_ssize_t* order, Py_ssize_t m, unsigned int seed)

cdef extern from "_dropout.h" nogil:
    unsigned int fi_dropout_key(unsigned long long seed, unsigned long long step,
                                unsigned long long row)
    void fi_dropout_hashed_d(double* a, Py_ssize_t n, unsigned int key, unsigned int first,
                             unsigned int threshold, double scale)
    void fi_dropout_hashed_f(float* a, Py_ssize_t n, unsigned int key, unsigned int first,
                             unsigned int threshold, float scale)
    void fi_dropout_fixed_d(double* a, Py_ssize_t n, const unsigned char* kept, double scale)
    void fi_dropout_fixed_f(float* a, Py_ssize_t n, const unsigned char* kept, float scale)
    void fi_scale_d(double* a, Py_ssize_t n, double scale)
    void fi_scale_f(float* a, Py_ssize_t n, float scale)

cdef enum:
    MIN_BLOCK = 128       # examples per block, at least (where m has them)
    MAX_BLOCK = 512       # examples per block, at most
    MAX_SLOTS = 64        # gradient slots summed after each pass, about
    BLOCK_BYTES = 1048576 # input, activation and delta rows of one block fit in about this
    PIECE_BYTES = 49152   # ... and of one piece of a block, with the partial sums (L1)
    MIN_PIECE = 64        # examples per piece, at least; else the block is not cut
    ROW_PADDING = 16      # values added to a block's row length (see _leading_dimension)
    ALIGNMENT = 16        # values of slack for aligning a buffer to 64 bytes (see _aligned)


def instruction_set():
    """The instruction set this module was compiled for."""
    return fi_build_instruction_set().decode()


def multiply_add():
    """How this build multiplies and adds: ``"instructions"`` (FMA instructions),
    ``"fma()"`` (C's fma, lane by lane: the same bits, slower) or ``"unfused"``
    (a CPU without FMA: two roundings, so results differ from other CPUs')."""
    return fi_build_fma_kind().decode()


def has_openmp():
    """Whether this module was compiled with OpenMP (otherwise one thread)."""
    return bool(FI_OPENMP)


def cpu_has_avx2_fma():
    """Whether the CPU running this process has AVX2 and FMA."""
    return bool(fi_cpu_has_avx2_fma())


def fma_peak(int n_threads=1, long rounds=20_000_000):
    """This build's float64 multiply-add peak in GFLOP/s with ``n_threads``
    threads: each runs ``rounds`` rounds of 12 independent vector chains (a
    multiply-add counts as two operations). About 0.05 s per call at the
    default, so benchmarks can measure it beside what they time."""
    if n_threads < 1 or rounds < 1:
        raise ValueError(f"n_threads and rounds must be positive, got {n_threads} and {rounds}")
    cdef int t
    cdef double sink = 0
    start = time.perf_counter()
    with nogil, parallel(num_threads=n_threads):
        for t in prange(n_threads, schedule="static", chunksize=1):
            sink += fi_build_fma_chains(rounds, 0.1)
    seconds = time.perf_counter() - start
    if not sink == sink:
        raise RuntimeError("fma_peak: the chains did not stay finite")
    return n_threads * rounds * 12 * fi_build_lanes_d() * 2.0 / seconds / 1e9


def cpu_has_avx512():
    """Whether the CPU running this process has AVX-512 F, VL and DQ, and FMA."""
    return bool(fi_cpu_has_avx512())


# ---------------------------------------------------------------------------
# Per-element math
# ---------------------------------------------------------------------------

cdef inline double _bce_from_logit(double z, double y) noexcept nogil:
    # -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)), without forming sigmoid(z):
    # finite for every finite z, exactly log(2) at z = 0.
    return (z if z > 0 else 0.0) - z * y + fi_log1p(fi_exp(-fabs(z)))


cdef inline void _neumaier_add(double* total, double* compensation,
                               double term) noexcept nogil:
    cdef double t = total[0] + term
    if fabs(total[0]) >= fabs(term):
        compensation[0] += (total[0] - t) + term
    else:
        compensation[0] += (term - t) + total[0]
    total[0] = t


cdef inline Py_ssize_t _round_up(Py_ssize_t n, Py_ssize_t multiple) noexcept nogil:
    return (n + multiple - 1) // multiple * multiple


# ---------------------------------------------------------------------------
# Array loops, one block of examples (for training). ``width`` is a multiple
# of CHUNK; the columns past the real examples are zero-padded inputs whose
# output delta is zero, so they add exact zeros to every gradient.
# ---------------------------------------------------------------------------

cdef extern from "_kernels_api.h" nogil:
    void fi_block_forward_d(const double* W, const double* b, const double* A,
                            Py_ssize_t lda, double* Z, Py_ssize_t ldz, Py_ssize_t n_out,
                            Py_ssize_t n_in, Py_ssize_t width, int relu, int bias_last)
    void fi_block_forward_f(const float* W, const float* b, const float* A,
                            Py_ssize_t lda, float* Z, Py_ssize_t ldz, Py_ssize_t n_out,
                            Py_ssize_t n_in, Py_ssize_t width, int relu, int bias_last)
    void fi_block_forward_wide_d(const double* W, const double* b, const double* A,
                                 Py_ssize_t lda, double* Z, Py_ssize_t ldz, Py_ssize_t n_out,
                                 Py_ssize_t n_in, Py_ssize_t width, int relu, int bias_last)
    void fi_block_forward_wide_f(const float* W, const float* b, const float* A,
                                 Py_ssize_t lda, float* Z, Py_ssize_t ldz, Py_ssize_t n_out,
                                 Py_ssize_t n_in, Py_ssize_t width, int relu, int bias_last)
    void fi_block_weight_gradient_d(const double* dZ, Py_ssize_t lddz, const double* A,
                                    Py_ssize_t lda, double* dW, double* db, double* lanes,
                                    int phase, Py_ssize_t n_out, Py_ssize_t n_in,
                                    Py_ssize_t width)
    void fi_block_weight_gradient_f(const float* dZ, Py_ssize_t lddz, const float* A,
                                    Py_ssize_t lda, float* dW, float* db, float* lanes,
                                    int phase, Py_ssize_t n_out, Py_ssize_t n_in,
                                    Py_ssize_t width)
    void fi_block_input_gradient_d(const double* W, const double* dZ, Py_ssize_t lddz,
                                   const double* A, Py_ssize_t lda, double* out,
                                   Py_ssize_t ldo, Py_ssize_t n_out, Py_ssize_t n_in,
                                   Py_ssize_t width)
    void fi_block_input_gradient_f(const float* W, const float* dZ, Py_ssize_t lddz,
                                   const float* A, Py_ssize_t lda, float* out,
                                   Py_ssize_t ldo, Py_ssize_t n_out, Py_ssize_t n_in,
                                   Py_ssize_t width)
    void fi_block_input_gradient_wide_d(const double* W, const double* dZ, Py_ssize_t lddz,
                                        const double* A, Py_ssize_t lda, double* out,
                                        Py_ssize_t ldo, Py_ssize_t n_out, Py_ssize_t n_in,
                                        Py_ssize_t width)
    void fi_block_input_gradient_wide_f(const float* W, const float* dZ, Py_ssize_t lddz,
                                        const float* A, Py_ssize_t lda, float* out,
                                        Py_ssize_t ldo, Py_ssize_t n_out, Py_ssize_t n_in,
                                        Py_ssize_t width)
    enum:
        FI_WIDE_INPUTS
    void fi_block_output_delta_d(const double* Z, Py_ssize_t ldz, const double* Y,
                                 Py_ssize_t ldy, double* dZ, Py_ssize_t lddz, Py_ssize_t n,
                                 Py_ssize_t nb, Py_ssize_t width, double inv_m)
    void fi_block_output_delta_f(const float* Z, Py_ssize_t ldz, const float* Y,
                                 Py_ssize_t ldy, float* dZ, Py_ssize_t lddz, Py_ssize_t n,
                                 Py_ssize_t nb, Py_ssize_t width, float inv_m)
    double fi_exp "fi_build_exp"(double x)
    float fi_expf "fi_build_expf"(float x)
    double fi_log1p "fi_build_log1p"(double x)
    double fi_power "fi_build_power"(double x, long long n)
    double fi_madd_d "fi_build_madd_d"(double a, double b, double c)
    float fi_madd_f "fi_build_madd_f"(float a, float b, float c)
    void fi_mask_d(const double* where, const double* value, double* out, Py_ssize_t n)
    void fi_mask_f(const float* where, const float* value, float* out, Py_ssize_t n)
    void fi_sigmoid_d(const double* z, double* a, Py_ssize_t n)
    void fi_activate_d(const double* z, double* a, Py_ssize_t n, int kind, double slope)
    void fi_activate_f(const float* z, float* a, Py_ssize_t n, int kind, float slope)
    void fi_activation_delta_d(const double* a, const double* d, double* out, Py_ssize_t n,
                               int kind, double slope, double keep)
    void fi_activation_delta_f(const float* a, const float* d, float* out, Py_ssize_t n,
                               int kind, float slope, float keep)
    enum:
        FI_RELU
        FI_LINEAR
    void fi_sigmoid_f(const float* z, float* a, Py_ssize_t n)
    void fi_sequential_weight_gradient_d(const double* dZ, Py_ssize_t lddz, const double* A,
                                         Py_ssize_t lda, double* dW, double* db,
                                         Py_ssize_t n_out, Py_ssize_t n_in, Py_ssize_t n)
    void fi_sequential_weight_gradient_f(const float* dZ, Py_ssize_t lddz, const float* A,
                                         Py_ssize_t lda, float* dW, float* db,
                                         Py_ssize_t n_out, Py_ssize_t n_in, Py_ssize_t n)
    void fi_block_product_d(const double* A, Py_ssize_t sai, Py_ssize_t sak, const double* B,
                            Py_ssize_t ldb, double* out, Py_ssize_t ldo, Py_ssize_t n,
                            Py_ssize_t p, Py_ssize_t k, Py_ssize_t diagonal)
    void fi_block_product_f(const float* A, Py_ssize_t sai, Py_ssize_t sak, const float* B,
                            Py_ssize_t ldb, float* out, Py_ssize_t ldo, Py_ssize_t n,
                            Py_ssize_t p, Py_ssize_t k, Py_ssize_t diagonal)


cdef inline void _block_forward(const floating* W, const floating* b,
                                const floating* A, Py_ssize_t lda,
                                floating* Z, Py_ssize_t ldz,
                                Py_ssize_t n_out, Py_ssize_t n_in,
                                Py_ssize_t width, bint relu,
                                bint bias_last=False) noexcept nogil:
    """Z = W @ A + b (then max(., 0) when ``relu``); with ``bias_last``, each
    value is summed from 0 over the inputs in order, then b is added. A layer of
    FI_WIDE_INPUTS inputs or more goes through wider register tiles (same bits)."""
    if floating is float:
        if n_in >= FI_WIDE_INPUTS:
            fi_block_forward_wide_f(W, b, A, lda, Z, ldz, n_out, n_in, width, relu, bias_last)
        else:
            fi_block_forward_f(W, b, A, lda, Z, ldz, n_out, n_in, width, relu, bias_last)
    else:
        if n_in >= FI_WIDE_INPUTS:
            fi_block_forward_wide_d(W, b, A, lda, Z, ldz, n_out, n_in, width, relu, bias_last)
        else:
            fi_block_forward_d(W, b, A, lda, Z, ldz, n_out, n_in, width, relu, bias_last)


cdef inline void _block_weight_gradient(const floating* dZ, Py_ssize_t lddz,
                                        const floating* A, Py_ssize_t lda,
                                        floating* dW, floating* db, floating* lanes,
                                        int phase, Py_ssize_t n_out, Py_ssize_t n_in,
                                        Py_ssize_t width) noexcept nogil:
    """dW = dZ @ A.T and db = dZ.sum(axis=1) over the block, or over one of its
    pieces (``phase``; the partial sums wait in ``lanes``)."""
    if floating is float:
        fi_block_weight_gradient_f(dZ, lddz, A, lda, dW, db, lanes, phase, n_out, n_in,
                                   width)
    else:
        fi_block_weight_gradient_d(dZ, lddz, A, lda, dW, db, lanes, phase, n_out, n_in,
                                   width)


cdef inline void _block_input_gradient(const floating* W, const floating* dZ,
                                       Py_ssize_t lddz, const floating* A, Py_ssize_t lda,
                                       floating* dZ_prev, Py_ssize_t ldp,
                                       Py_ssize_t n_out, Py_ssize_t n_in,
                                       Py_ssize_t width) noexcept nogil:
    """dZ_prev = (W.T @ dZ) * (A > 0): the ReLU layer's delta (W.T @ dZ itself
    when ``A`` is NULL)."""
    if floating is float:
        if n_out >= FI_WIDE_INPUTS:
            fi_block_input_gradient_wide_f(W, dZ, lddz, A, lda, dZ_prev, ldp, n_out, n_in,
                                           width)
        else:
            fi_block_input_gradient_f(W, dZ, lddz, A, lda, dZ_prev, ldp, n_out, n_in, width)
    else:
        if n_out >= FI_WIDE_INPUTS:
            fi_block_input_gradient_wide_d(W, dZ, lddz, A, lda, dZ_prev, ldp, n_out, n_in,
                                           width)
        else:
            fi_block_input_gradient_d(W, dZ, lddz, A, lda, dZ_prev, ldp, n_out, n_in, width)


cdef double _cost_sum(const floating* Z, Py_ssize_t ldz,
                      const floating* Y, Py_ssize_t ldy,
                      Py_ssize_t n, Py_ssize_t nb) noexcept nogil:
    """Sum of the binary cross-entropy over every output and example.

    Neumaier's compensated sum in double: the cost is computed only at recorded
    iterations, so its accuracy is free (300 copies of log 2 sum to 300 log 2).
    """
    cdef Py_ssize_t i, j
    cdef double total = 0.0, compensation = 0.0
    for i in range(n):
        for j in range(nb):
            _neumaier_add(&total, &compensation,
                          _bce_from_logit(Z[i * ldz + j], Y[i * ldy + j]))
    return total + compensation


cdef inline void _block_output_delta(const floating* Z, Py_ssize_t ldz,
                                     const floating* Y, Py_ssize_t ldy,
                                     floating* dZ, Py_ssize_t lddz,
                                     Py_ssize_t n, Py_ssize_t nb, Py_ssize_t width,
                                     floating inv_m) noexcept nogil:
    """dZ = (sigmoid(Z) - Y) / m for the ``nb`` real examples, 0 for the padding."""
    if floating is float:
        fi_block_output_delta_f(Z, ldz, Y, ldy, dZ, lddz, n, nb, width, inv_m)
    else:
        fi_block_output_delta_d(Z, ldz, Y, ldy, dZ, lddz, n, nb, width, inv_m)


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------

cdef struct Net:
    Py_ssize_t L                # number of layers with weights
    const Py_ssize_t* dims      # n_0, ..., n_L
    const Py_ssize_t* w_off     # where W_l starts in theta, l = 1..L at [l - 1]
    const Py_ssize_t* b_off     # where b_l starts in theta
    Py_ssize_t n_theta          # number of parameters
    int activation              # of the hidden layers: FI_RELU ... FI_LINEAR
    double slope                # leaky ReLU's negative slope
    Py_ssize_t piece_bytes      # sizes the pieces of a training block (_piece_columns)


# PIECE_BYTES, unless a test asks for other pieces (set_piece_bytes). Each Net
# reads it once, so that one call sizes and runs its blocks alike.
cdef Py_ssize_t _piece_bytes = PIECE_BYTES


def set_piece_bytes(Py_ssize_t piece_bytes):
    """For tests: size the pieces of later calls' training blocks for
    ``piece_bytes`` bytes instead of PIECE_BYTES (0: never cut a block), to check
    that the pieces never change a bit of a result. Returns the previous value."""
    global _piece_bytes
    if piece_bytes < 0:
        raise ValueError(f"piece_bytes must be >= 0, got {piece_bytes}")
    previous = _piece_bytes
    _piece_bytes = piece_bytes
    return previous


cdef Net _net_of(Py_ssize_t L, const Py_ssize_t* dims, const Py_ssize_t* w_off,
                 const Py_ssize_t* b_off, Py_ssize_t theta_size) except *:
    """Describe the network, after checking that the layout is the one ``dims``
    (L + 1 sizes) implies and that ``theta`` holds exactly its parameters."""
    cdef Net net
    cdef Py_ssize_t l, expected = 0
    if L < 1:
        raise ValueError("dims needs >= 2 entries")
    for l in range(1, L + 1):
        if dims[l - 1] < 1 or dims[l] < 1:
            raise ValueError("every layer size must be >= 1")
        if w_off[l - 1] != expected or b_off[l - 1] != expected + dims[l] * dims[l - 1]:
            raise ValueError("w_off and b_off do not match dims")
        expected += dims[l] * (dims[l - 1] + 1)
    if theta_size != expected:
        raise ValueError(f"theta has {theta_size} values, the layout needs {expected}")
    net.L = L
    net.dims = dims
    net.w_off = w_off
    net.b_off = b_off
    net.n_theta = expected
    net.activation = FI_RELU
    net.slope = 0.0
    net.piece_bytes = _piece_bytes
    return net


cdef int _set_activation(Net* net, int activation, double negative_slope) except -1:
    """The hidden layers' activation: a code of ``activations.ACTIVATIONS`` and, for
    leaky ReLU, a finite ``negative_slope >= 0``."""
    if not FI_RELU <= activation <= FI_LINEAR:
        raise ValueError(f"activation must be a code from 0 to 5, got {activation}")
    if not (isfinite(negative_slope) and negative_slope >= 0):
        raise ValueError(f"negative_slope must be a finite number >= 0, got {negative_slope}")
    net.activation = activation
    net.slope = negative_slope
    return 0


cdef void _activate_rows(Net net, floating* Z, Py_ssize_t ldz, Py_ssize_t rows,
                         Py_ssize_t width) noexcept nogil:
    """A = phi(Z) in place on ``rows`` rows of ``width`` values, phi the hidden
    activation."""
    cdef Py_ssize_t i
    for i in range(rows):
        if floating is float:
            fi_activate_f(Z + i * ldz, Z + i * ldz, width, net.activation, <float>net.slope)
        else:
            fi_activate_d(Z + i * ldz, Z + i * ldz, width, net.activation, net.slope)


cdef void _activation_delta_rows(Net net, const floating* A, Py_ssize_t lda, floating* d,
                                 Py_ssize_t ldd, floating* out, Py_ssize_t ldo,
                                 Py_ssize_t rows, Py_ssize_t width,
                                 floating keep) noexcept nogil:
    """out = d * phi'(Z) on ``rows`` rows, from the activations A = phi(Z) / keep."""
    cdef Py_ssize_t i
    for i in range(rows):
        if floating is float:
            fi_activation_delta_f(A + i * lda, d + i * ldd, out + i * ldo, width,
                                  net.activation, <float>net.slope, keep)
        else:
            fi_activation_delta_d(A + i * lda, d + i * ldd, out + i * ldo, width,
                                  net.activation, net.slope, keep)


cdef Net _net(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
              const Py_ssize_t[::1] b_off, Py_ssize_t theta_size) except *:
    """:func:`_net_of` on three memoryviews, one entry per layer in the offsets."""
    if dims.shape[0] < 2 or w_off.shape[0] != dims.shape[0] - 1 \
            or b_off.shape[0] != dims.shape[0] - 1:
        raise ValueError("dims needs >= 2 entries and w_off, b_off one per layer")
    return _net_of(dims.shape[0] - 1, &dims[0], &w_off[0], &b_off[0], theta_size)


cdef inline Py_ssize_t _widest(Net net) noexcept nogil:
    cdef Py_ssize_t l, width = 0
    for l in range(1, net.L + 1):
        if net.dims[l] > width:
            width = net.dims[l]
    return width


cdef struct Regularization:
    double l2                    # lambda / m: dW += l2 * W (0: no L2)
    double keep_prob             # of the hidden units; 1: no dropout
    double scale                 # 1 / keep_prob
    unsigned int threshold       # keep_prob * 2**32, for hashed masks
    unsigned long long seed      # of hashed masks
    const unsigned char* masks   # fixed masks, 0 or 1, (hidden rows, m) row-major; NULL: hashed
    Py_ssize_t m                 # the masks' leading dimension
    Py_ssize_t example_offset    # added to a block's example index for hashed masks


cdef inline bint _is_weight(Net net, Py_ssize_t p) noexcept nogil:
    """Whether parameter ``p`` of theta is a weight (not a bias)."""
    cdef Py_ssize_t l
    for l in range(net.L):
        if p < net.b_off[l] + net.dims[l + 1]:
            return p < net.b_off[l]
    return False


cdef double _weight_square_sum(Net net, const floating* theta) noexcept nogil:
    """The sum of every weight squared (biases excluded), for the L2 cost."""
    cdef Py_ssize_t l, p
    cdef double total = 0.0
    for l in range(net.L):
        for p in range(net.w_off[l], net.b_off[l]):
            total += <double>theta[p] * theta[p]
    return total


cdef void _dropout(const Regularization* reg, floating* A, Py_ssize_t lda,
                   Py_ssize_t first_row, Py_ssize_t rows, Py_ssize_t first, Py_ssize_t nb,
                   Py_ssize_t step) noexcept nogil:
    """Inverted dropout on ``rows`` hidden rows of a block (``nb`` examples from
    example ``first``); ``first_row`` counts the hidden rows of earlier layers."""
    cdef Py_ssize_t i
    cdef unsigned int key
    for i in range(rows):
        if reg.masks != NULL:
            if floating is float:
                fi_dropout_fixed_f(A + i * lda, nb, reg.masks + (first_row + i) * reg.m + first,
                                   <float>reg.scale)
            else:
                fi_dropout_fixed_d(A + i * lda, nb, reg.masks + (first_row + i) * reg.m + first,
                                   reg.scale)
        else:
            key = fi_dropout_key(reg.seed, step, first_row + i)
            if floating is float:
                fi_dropout_hashed_f(A + i * lda, nb, key, first, reg.threshold, <float>reg.scale)
            else:
                fi_dropout_hashed_d(A + i * lda, nb, key, first, reg.threshold, reg.scale)


cdef void _scale_dropped_delta(const Regularization* reg, floating* dZ, Py_ssize_t lddz,
                              Py_ssize_t rows, Py_ssize_t width) noexcept nogil:
    """dZ *= 1 / keep_prob on a dropped-out layer's delta (its ReLU mask, A > 0,
    already holds the dropout mask)."""
    cdef Py_ssize_t i
    for i in range(rows):
        if floating is float:
            fi_scale_f(dZ + i * lddz, width, <float>reg.scale)
        else:
            fi_scale_d(dZ + i * lddz, width, reg.scale)


cdef inline Py_ssize_t _layer_offset(Net net, Py_ssize_t l, Py_ssize_t m) noexcept nogil:
    """Where layer ``l`` (1-based) starts in a per-layer activation buffer;
    ``l = L + 1`` gives the buffer's size."""
    cdef Py_ssize_t k, offset = 0
    for k in range(1, l):
        offset += net.dims[k] * m
    return offset


cdef inline floating* _aligned(floating* p) noexcept nogil:
    """``p`` moved up to the next 64-byte boundary, by less than ALIGNMENT values:
    every row of a block's buffers then starts on a cache line, whatever the
    alignment of the array that holds them (only the layout changes)."""
    return <floating*>((<uintptr_t>p + 63) & ~(<uintptr_t>63))


cdef inline Py_ssize_t _thread_area(Net net, Py_ssize_t block) noexcept nogil:
    """Values of one thread's part of the training work: its scratch, then a
    gradient of its own; a multiple of ALIGNMENT, so that every thread's scratch
    starts on a cache line when the first one does."""
    return _round_up(_scratch_size(net, block) + net.n_theta, ALIGNMENT)


cdef inline Py_ssize_t _leading_dimension(Py_ssize_t block) noexcept nogil:
    """The row length of a block's activation buffers: a block of 64 doubles
    would put its rows 512 bytes apart, so that a column stripe falls into a
    few L1 cache sets and evicts itself; a few values more spread the rows
    over every set. (Only the layout changes, never the arithmetic.)"""
    return block + ROW_PADDING


cdef Py_ssize_t _block_columns(Net net, Py_ssize_t m) noexcept nogil:
    """Examples per training block: as many as keep one block's inputs,
    activations and deltas within BLOCK_BYTES (about a core's L2), counting 8
    bytes a value whatever the dtype; at least MIN_BLOCK, since the lane sums of
    the weight gradient are added up once per block, and at most MAX_BLOCK.
    Then evened out, so that the blocks come in an even number of nearly equal
    widths (two threads, or four, share them fairly); fewer when m is smaller.
    Depends on the network and m only, never on the threads or the dtype."""
    cdef Py_ssize_t rows = net.dims[0] + _layer_offset(net, net.L + 1, 1) + 2 * _widest(net)
    cdef Py_ssize_t block = BLOCK_BYTES // (8 * rows)
    cdef Py_ssize_t n_blocks
    if block < MIN_BLOCK:
        block = MIN_BLOCK
    if block > MAX_BLOCK:
        block = MAX_BLOCK
    n_blocks = (m + block - 1) // block
    if n_blocks > 1 and n_blocks % 2:
        n_blocks += 1
    return _round_up((m + n_blocks - 1) // n_blocks, CHUNK)


cdef inline Py_ssize_t _lane_bytes(Net net, Py_ssize_t l) noexcept nogil:
    """Bytes of layer ``l``'s partial weight-gradient sums kept between the pieces
    of a block (in any build and dtype)."""
    return net.dims[l] * (net.dims[l - 1] * FI_WEIGHT_LANE_BYTES + FI_BIAS_LANE_BYTES)


cdef inline Py_ssize_t _lanes_before(Net net, Py_ssize_t l) noexcept nogil:
    """Where layer ``l``'s partial sums start among a block's, in bytes."""
    cdef Py_ssize_t k, offset = 0
    for k in range(1, l):
        offset += _lane_bytes(net, k)
    return offset


cdef Py_ssize_t _piece_columns(Net net, Py_ssize_t block) noexcept nogil:
    """Examples per piece of a training block of ``block`` examples. A block goes
    through the whole network, forward and backward, one piece at a time, so that
    a narrow network's activations and deltas stay in L1: a piece's rows and the
    weight gradient's partial sums fit in PIECE_BYTES. The block itself when it
    is no wider, or when the piece would be under MIN_PIECE examples (a wide
    network, whose partial sums would cost more than the cache saves). The
    pieces change the order of the work, never a bit of the result."""
    cdef Py_ssize_t state = _lanes_before(net, net.L + 1), piece
    cdef Py_ssize_t rows = net.dims[0] + _layer_offset(net, net.L, 1) + 2 * _widest(net)
    if state >= net.piece_bytes:
        return block
    piece = (net.piece_bytes - state) // (8 * rows) // CHUNK * CHUNK
    return piece if MIN_PIECE <= piece < block else block


cdef Py_ssize_t _scratch_size(Net net, Py_ssize_t block) noexcept nogil:
    """Values of one thread's scratch for :func:`_train_block` on blocks of
    ``block`` examples: hidden activations, delta and spare delta a piece wide,
    the output layer a block wide, and the partial sums between pieces."""
    cdef Py_ssize_t piece = _piece_columns(net, block)
    cdef Py_ssize_t ld = _leading_dimension(block)
    cdef Py_ssize_t ldp = _leading_dimension(piece)
    cdef Py_ssize_t size = ldp * (_layer_offset(net, net.L, 1) + 2 * _widest(net))
    size += ld * net.dims[net.L]
    if piece < block:
        size += _lanes_before(net, net.L + 1) // sizeof(float)
    return size


cdef void _add_row_space_offset(floating* Z, Py_ssize_t ldz, const floating* offset,
                                Py_ssize_t ld_offset, Py_ssize_t rows, Py_ssize_t nb,
                                Py_ssize_t width, bint relu) noexcept nogil:
    """Z += offset on the block's ``nb`` examples, then (when ``relu``)
    max(Z, 0) on all ``width`` columns: the first layer of the row-space form
    (see ``row_space.RowSpace``), where Z_1 = W_1(0) X + C G + b_1."""
    cdef Py_ssize_t i, j
    for i in range(rows):
        for j in range(nb):
            Z[i * ldz + j] = Z[i * ldz + j] + offset[i * ld_offset + j]
        if relu:
            for j in range(width):
                if Z[i * ldz + j] <= 0:  # NaN stays NaN
                    Z[i * ldz + j] = 0


cdef void _row_space_gradient(const floating* delta, Py_ssize_t ld_delta, floating* dC,
                              floating* db, Py_ssize_t rows, Py_ssize_t m, Py_ssize_t first,
                              Py_ssize_t nb, Py_ssize_t width, int phase) noexcept nogil:
    """The block's step for the first layer in row-space form: W_1 moves by
    -lr dZ_1 X^T, so its coefficients C (rows x m) move by -lr dZ_1: column
    ``first + j`` of ``dC`` is the block's delta column j, every other column 0.
    ``db`` gets the delta's row sums. ``phase``: of a piece of the block (see
    :func:`_block_weight_gradient`); the sums carry on from one to the next."""
    cdef Py_ssize_t i, j
    cdef floating total
    for i in range(rows):
        if phase & FI_START:
            memset(dC + i * m, 0, m * sizeof(floating))
        memcpy(dC + i * m + first, delta + i * ld_delta, nb * sizeof(floating))
        total = 0 if phase & FI_START else db[i]
        for j in range(width):
            total = total + delta[i * ld_delta + j]
        db[i] = total


cdef double _train_block(Net net, const floating* theta, const floating* X,
                         const floating* Y, Py_ssize_t m, Py_ssize_t first,
                         Py_ssize_t count, Py_ssize_t block, floating* scratch,
                         floating* padded_inputs, floating* gradient, floating inv_m,
                         bint want_cost, bint backward, const Regularization* reg,
                         Py_ssize_t step, const floating* row_space_offset) noexcept nogil:
    """Forward, output delta and (when ``backward``) backward for the examples
    ``first`` to ``first + count`` (fewer at the end), writing their gradient
    (not yet summed with other blocks) to ``gradient``. Returns the block's
    summed cost when ``want_cost``. When training (``backward``) with
    ``reg.keep_prob < 1``, the hidden layers are dropped out with the masks
    of ``step``. With ``row_space_offset`` (n_1 x m), the first layer is in
    row-space form: ``X`` is the Gram matrix and W_1 holds the coefficients C.

    ``block`` (at least ``count``, a multiple of CHUNK) sizes the buffers:
    ``scratch`` holds :func:`_scratch_size` values, ``padded_inputs`` ``n_0 *
    _leading_dimension(block)`` (used only when the examples do not fill whole
    chunks). The examples go through the network in pieces of
    :func:`_piece_columns` examples; the result is the same as in one piece.
    """
    cdef Py_ssize_t l, k
    cdef Py_ssize_t nb = m - first if m - first < count else count
    cdef Py_ssize_t width = _round_up(nb, CHUNK)
    cdef Py_ssize_t piece = _piece_columns(net, block)
    cdef Py_ssize_t ld = _leading_dimension(block)
    cdef Py_ssize_t ldp = _leading_dimension(piece)
    cdef Py_ssize_t widest = _widest(net)
    cdef floating* acts = scratch
    cdef floating* output = scratch + _layer_offset(net, net.L, ldp)
    cdef floating* delta_area = output + net.dims[net.L] * ld
    cdef floating* spare_area = delta_area + widest * ldp
    cdef floating* lanes = spare_area + widest * ldp
    cdef floating* delta
    cdef floating* spare
    cdef floating* swap
    cdef floating* out
    cdef const floating* inputs
    cdef const floating* A_prev
    cdef Py_ssize_t ld_inputs, ld_prev, ld_out, start, pw, pnb
    cdef int phase
    cdef bint dropout = backward and reg.keep_prob < 1
    cdef bint row_space = row_space_offset != NULL
    cdef bint relu = net.activation == FI_RELU

    start = -piece
    while start + piece < width:
        start += piece
        pw = width - start if width - start < piece else piece
        pnb = nb - start if nb - start < pw else pw
        phase = (FI_START if start == 0 else 0) | (FI_FINISH if start + pw == width else 0)
        inputs = X + first + start
        ld_inputs = m
        if pnb != pw:
            for k in range(net.dims[0]):
                memcpy(padded_inputs + k * ld, inputs + k * m, pnb * sizeof(floating))
                memset(padded_inputs + k * ld + pnb, 0, (pw - pnb) * sizeof(floating))
            inputs = padded_inputs
            ld_inputs = ld

        A_prev = inputs
        ld_prev = ld_inputs
        for l in range(1, net.L + 1):
            if l < net.L:
                out = acts + _layer_offset(net, l, ldp)
                ld_out = ldp
            else:
                out = output + start
                ld_out = ld
            _block_forward(theta + net.w_off[l - 1], theta + net.b_off[l - 1], A_prev,
                           ld_prev, out, ld_out, net.dims[l], net.dims[l - 1], pw,
                           l < net.L and relu and not (row_space and l == 1))
            if row_space and l == 1:
                _add_row_space_offset(out, ld_out, row_space_offset + first + start, m,
                                      net.dims[1], pnb, pw, net.L > 1 and relu)
            if l < net.L and not relu:
                _activate_rows(net, out, ld_out, net.dims[l], pw)
            if dropout and l < net.L:
                _dropout(reg, out, ld_out, _layer_offset(net, l, 1), net.dims[l],
                         first + start + reg.example_offset, pnb, step)
            A_prev = out
            ld_prev = ld_out
        if not backward:
            continue

        delta = delta_area
        spare = spare_area
        _block_output_delta(output + start, ld, Y + first + start, m, delta, ldp,
                            net.dims[net.L], pnb, pw, inv_m)
        for l in range(net.L, 0, -1):
            if l > 1:
                A_prev = acts + _layer_offset(net, l - 1, ldp)
                ld_prev = ldp
            else:
                A_prev = inputs
                ld_prev = ld_inputs
            if row_space and l == 1:
                _row_space_gradient(delta, ldp, gradient + net.w_off[0],
                                    gradient + net.b_off[0], net.dims[1], m, first + start,
                                    pnb, pw, phase)
            else:
                _block_weight_gradient(delta, ldp, A_prev, ld_prev, gradient + net.w_off[l - 1],
                                       gradient + net.b_off[l - 1],
                                       lanes + _lanes_before(net, l) // sizeof(floating), phase,
                                       net.dims[l], net.dims[l - 1], pw)
            if l > 1 and relu:
                _block_input_gradient(theta + net.w_off[l - 1], delta, ldp, A_prev, ldp,
                                      spare, ldp, net.dims[l], net.dims[l - 1], pw)
                if dropout:
                    _scale_dropped_delta(reg, spare, ldp, net.dims[l - 1], pw)
            elif l > 1:
                _block_input_gradient(theta + net.w_off[l - 1], delta, ldp, NULL, ldp,
                                      spare, ldp, net.dims[l], net.dims[l - 1], pw)
                _activation_delta_rows(net, A_prev, ldp, spare, ldp, spare, ldp,
                                       net.dims[l - 1], pw,
                                       <floating>reg.keep_prob if dropout else 1)
                if dropout:
                    _dropout(reg, spare, ldp, _layer_offset(net, l - 1, 1), net.dims[l - 1],
                             first + start + reg.example_offset, pnb, step)
            if l > 1:
                swap = delta
                delta = spare
                spare = swap
    if want_cost:
        return _cost_sum(output, ld, Y + first, m, net.dims[net.L], nb)
    return 0.0


cdef inline Py_ssize_t _group_size(Py_ssize_t n_blocks) noexcept nogil:
    """Blocks per gradient slot: consecutive blocks are summed by one thread in
    block order, leaving about MAX_SLOTS slots to add up. Depends on the
    number of blocks only, never on the threads."""
    cdef Py_ssize_t size = n_blocks // MAX_SLOTS
    return size if size > 1 else 1


cdef void _descend(Net net, floating* theta, const floating* X, const floating* Y,
                   Py_ssize_t m, floating* work, double* block_costs, floating lr,
                   Py_ssize_t n_iterations, int n_threads, const Regularization* reg,
                   Py_ssize_t first_step, floating* gradient_out,
                   const floating* row_space_offset, Py_ssize_t check_every=0,
                   int* interrupted=NULL, double* pace=NULL) noexcept nogil:
    """``n_iterations`` steps of full-batch gradient descent in place on ``theta``
    (the first one being step ``first_step`` of the run, for dropout masks);
    the cost of every block before the first step goes to ``block_costs``. With
    ``n_iterations == 0``, only the costs of ``theta`` as it is, without dropout.
    With ``gradient_out``, one step's gradient is written there instead, and
    ``theta`` is left as it is. ``row_space_offset``: see :func:`_train_block`.

    ``work`` is laid out as: one gradient slot of ``n_theta`` values per group
    of blocks, the padded-input buffer of the last block, then for each thread
    a scratch area and a gradient of its own.

    With ``check_every > 0``, the steps run in parallel regions of
    ``check_every`` steps, and between two of them the calling thread checks for
    an interrupt; when there is one, ``interrupted[0]`` is set and the loop
    returns (``theta`` holds the completed steps). With ``pace`` as well, each
    region runs on ``n_threads`` or on one thread, whichever has been faster
    (see :func:`_team_for_chunk`).
    """
    cdef Py_ssize_t block = _block_columns(net, m)
    cdef Py_ssize_t n_blocks = (m + block - 1) // block
    cdef Py_ssize_t group = _group_size(n_blocks)
    cdef Py_ssize_t n_groups = (n_blocks + group - 1) // group
    cdef Py_ssize_t n_theta = net.n_theta
    cdef Py_ssize_t ld = _leading_dimension(block)
    cdef Py_ssize_t scratch_size = _scratch_size(net, block)
    cdef floating* slots = work
    cdef floating* padded_inputs = slots + n_groups * n_theta
    cdef floating* thread_areas = _aligned(padded_inputs + net.dims[0] * ld)
    cdef floating inv_m = <floating>(1.0 / m)
    cdef Py_ssize_t b, start = 0, chunk
    cdef floating* scratch = NULL
    cdef int team
    cdef double started
    if n_iterations == 0:
        with parallel(num_threads=n_threads):
            scratch = thread_areas + threadid() * _thread_area(net, block)
            for b in prange(n_blocks, schedule="static"):
                block_costs[b] = _train_block(net, theta, X, Y, m, b * block, block, block,
                                              scratch, padded_inputs, NULL, inv_m, True, False,
                                              reg, first_step, row_space_offset)
        return
    while start < n_iterations:
        chunk = n_iterations - start
        if 0 < check_every < chunk:
            chunk = check_every
        team = _team_for_chunk(pace, n_threads)
        started = fi_seconds()
        _descend_steps(net, theta, X, Y, m, block, n_blocks, group, n_groups,
                       scratch_size, slots, padded_inputs, thread_areas, block_costs, lr,
                       start, start + chunk, team, reg, first_step, gradient_out,
                       row_space_offset)
        _record_pace(pace, team, n_threads, (fi_seconds() - started) / chunk)
        start += chunk
        if check_every > 0 and start < n_iterations:
            _check_interrupt(interrupted)
            if interrupted[0]:
                return


# The pace of training on several threads. On a machine whose cores are busy with
# other work, a team of threads waits at every step for whichever partner the system
# holds up, and ran 2-2.5 times slower than one thread. Every thread count gives the
# same bits, so each chunk of steps may take its own: the one that has run a step
# faster lately. ``pace`` holds, per training run: seconds per step on one thread
# and on the team (0 until measured; an average of the latest chunks), chunks until
# the other one is tried again, and the wait between tries.
cdef enum:
    FIRST_TRY = 2       # chunks before the slower way is tried again after a change
    LONGEST_WAIT = 1024 # ... and at most this many, doubling while it stays slower
    PACE_SIZE = 4


cdef int _team_for_chunk(double* pace, int n_threads) noexcept nogil:
    """Threads for the next chunk of steps: ``n_threads`` or one, the faster lately,
    or the other when it is time to try it again."""
    cdef bint team_faster
    if n_threads == 1 or pace == NULL:
        return n_threads
    if pace[3] == 0:
        pace[2] = FIRST_TRY
        pace[3] = FIRST_TRY
    team_faster = pace[0] == 0 or pace[1] <= pace[0]
    if pace[1] != 0 and pace[2] <= 0:
        team_faster = not team_faster
    return n_threads if team_faster else 1


cdef void _record_pace(double* pace, int team, int n_threads,
                       double seconds_per_step) noexcept nogil:
    """Count a chunk that ran on ``team`` threads at ``seconds_per_step``."""
    cdef int k = 1 if team == n_threads else 0
    cdef bint tried, team_was_faster
    if n_threads == 1 or pace == NULL:
        return
    tried = pace[1] != 0 and pace[2] <= 0
    team_was_faster = pace[0] == 0 or pace[1] <= pace[0]
    pace[k] = seconds_per_step if pace[k] == 0 else 0.5 * (pace[k] + seconds_per_step)
    if not tried:
        pace[2] -= 1
        return
    if (pace[0] == 0 or pace[1] <= pace[0]) != team_was_faster:
        pace[3] = FIRST_TRY
    elif pace[3] < LONGEST_WAIT:
        pace[3] = 2 * pace[3]
    pace[2] = pace[3]


cdef inline void _group_gradient(Net net, const floating* theta, const floating* X,
                                 const floating* Y, Py_ssize_t m, Py_ssize_t block,
                                 Py_ssize_t n_blocks, Py_ssize_t group, Py_ssize_t g,
                                 floating* slots, floating* padded_inputs, floating* scratch,
                                 floating* own_gradient, double* block_costs, floating inv_m,
                                 Py_ssize_t it, const Regularization* reg, Py_ssize_t step,
                                 const floating* row_space_offset) noexcept nogil:
    """Group ``g``'s gradient into its slot: its blocks in order, the first one
    written to the slot, each later one to ``own_gradient`` and added on; the
    blocks' costs go to ``block_costs`` at the first iteration (``it == 0``)."""
    cdef Py_ssize_t n_theta = net.n_theta
    cdef floating* slot = slots + g * n_theta
    cdef Py_ssize_t last = (g + 1) * group if (g + 1) * group < n_blocks else n_blocks
    cdef Py_ssize_t b, p
    cdef double cost
    for b in range(g * group, last):
        cost = _train_block(net, theta, X, Y, m, b * block, block, block, scratch,
                            padded_inputs, slot if b == g * group else own_gradient,
                            inv_m, it == 0, True, reg, step, row_space_offset)
        if it == 0:
            block_costs[b] = cost
        if b != g * group:
            for p in range(n_theta):
                slot[p] = slot[p] + own_gradient[p]


cdef inline void _apply_gradient(Net net, floating* theta, const floating* slots,
                                 Py_ssize_t n_groups, floating lr, floating l2,
                                 floating* gradient_out, Py_ssize_t p) noexcept nogil:
    """Parameter ``p``'s step: its gradient summed over the slots in order, plus
    L2; written to ``gradient_out`` when given, else taken by ``theta``."""
    cdef floating total = slots[p]
    cdef Py_ssize_t s
    for s in range(1, n_groups):
        total = total + slots[s * net.n_theta + p]
    if l2 != 0 and _is_weight(net, p):
        total = total + l2 * theta[p]
    if gradient_out != NULL:
        gradient_out[p] = total
    else:
        theta[p] = theta[p] - lr * total


cdef void _descend_steps(Net net, floating* theta, const floating* X, const floating* Y,
                         Py_ssize_t m, Py_ssize_t block, Py_ssize_t n_blocks,
                         Py_ssize_t group, Py_ssize_t n_groups, Py_ssize_t scratch_size,
                         floating* slots, floating* padded_inputs, floating* thread_areas,
                         double* block_costs, floating lr, Py_ssize_t begin, Py_ssize_t end,
                         int n_threads, const Regularization* reg, Py_ssize_t first_step,
                         floating* gradient_out,
                         const floating* row_space_offset) noexcept nogil:
    """Steps ``begin`` to ``end - 1`` of :func:`_descend`, in one parallel region.
    The groups of blocks go to whichever thread is free (a thread that the system
    holds up does not hold up the step): each group's gradient slot is one
    thread's sum in block order wherever it runs, so the bits stay the same. On
    one thread, the same work in plain loops (no worksharing or barriers per step)."""
    cdef Py_ssize_t n_theta = net.n_theta
    cdef floating inv_m = <floating>(1.0 / m)
    cdef floating l2 = <floating>reg.l2
    cdef Py_ssize_t it, g, p
    cdef floating* scratch = NULL
    cdef floating* own_gradient = NULL
    if n_threads == 1:
        scratch = thread_areas
        own_gradient = scratch + scratch_size
        for it in range(begin, end):
            for g in range(n_groups):
                _group_gradient(net, theta, X, Y, m, block, n_blocks, group, g, slots,
                                padded_inputs, scratch, own_gradient, block_costs, inv_m, it,
                                reg, first_step + it, row_space_offset)
            for p in range(n_theta):
                _apply_gradient(net, theta, slots, n_groups, lr, l2, gradient_out, p)
        return
    it = begin  # firstprivate in the parallel region: initialised here
    with parallel(num_threads=n_threads):
        scratch = thread_areas + threadid() * _thread_area(net, block)
        own_gradient = scratch + scratch_size
        for it in range(begin, end):
            for g in prange(n_groups, schedule="dynamic"):
                _group_gradient(net, theta, X, Y, m, block, n_blocks, group, g, slots,
                                padded_inputs, scratch, own_gradient, block_costs, inv_m, it,
                                reg, first_step + it, row_space_offset)
            for p in prange(n_theta, schedule="static"):
                _apply_gradient(net, theta, slots, n_groups, lr, l2, gradient_out, p)


cdef enum:
    GD = 0
    MOMENTUM = 1
    ADAM = 2

cdef enum:
    NO_DECAY = 0
    INVERSE = 1
    SCHEDULED = 2


cdef inline double _decayed(double learning_rate, Py_ssize_t epoch, int decay,
                            double decay_rate, Py_ssize_t interval) noexcept nogil:
    """The learning rate after ``epoch``: the course's ``update_lr`` (inverse)
    or ``schedule_lr_decay`` (scheduled), as training._decayed computes it."""
    if decay == INVERSE:
        return learning_rate / (1 + decay_rate * epoch)
    if decay == SCHEDULED:
        return learning_rate / (1 + decay_rate * floor(<double>epoch / interval))
    return learning_rate


cdef void _optimizer_step(floating* theta, const floating* g, floating* v, floating* s,
                          Py_ssize_t n, int optimizer, floating lr, floating beta,
                          floating beta1, floating beta2, floating epsilon,
                          Py_ssize_t t) noexcept nogil:
    """One update with gradient ``g``, as the course writes each optimizer:
    momentum ``v = beta v + (1 - beta) g``, ``theta -= lr v``; Adam with bias
    correction at step ``t`` and epsilon outside the square root."""
    cdef Py_ssize_t p
    cdef floating v_correction, s_correction
    if optimizer == GD:
        for p in range(n):
            theta[p] = theta[p] - lr * g[p]
    elif optimizer == MOMENTUM:
        for p in range(n):
            v[p] = beta * v[p] + (1 - beta) * g[p]
            theta[p] = theta[p] - lr * v[p]
    else:
        v_correction = <floating>(1 - fi_power(beta1, t))
        s_correction = <floating>(1 - fi_power(beta2, t))
        for p in range(n):
            v[p] = beta1 * v[p] + (1 - beta1) * g[p]
            s[p] = beta2 * s[p] + (1 - beta2) * (g[p] * g[p])
            theta[p] = theta[p] - lr * ((v[p] / v_correction)
                                        / (sqrt(s[p] / s_correction) + epsilon))


cdef void _gather(const floating* source, Py_ssize_t rows, Py_ssize_t ld_source,
                  const Py_ssize_t* columns, Py_ssize_t count, floating* out,
                  Py_ssize_t ld_out) noexcept nogil:
    """out[i, j] = source[i, columns[j]] for ``count`` columns."""
    cdef Py_ssize_t i, j
    for i in range(rows):
        for j in range(count):
            out[i * ld_out + j] = source[i * ld_source + columns[j]]


cdef double _epoch(Net net, floating* theta, const floating* X, const floating* Y,
                   Py_ssize_t m, const Py_ssize_t* order, Py_ssize_t batch, floating* work,
                   floating* v, floating* s, int optimizer, floating lr, floating beta,
                   floating beta1, floating beta2, floating epsilon, Py_ssize_t* t,
                   bint want_cost, const Regularization* reg, Py_ssize_t check_every,
                   int* interrupted) noexcept nogil:
    """One epoch over the examples in ``order``: for each mini-batch of
    ``batch`` consecutive entries of ``order`` (the last one shorter), gather
    its examples, then forward, cost, backward (with dropout masks of step
    ``t``, indexed by position in ``order``), the L2 term and an optimizer
    step. Returns the summed cross-entropy of every batch (before its step).
    With ``check_every > 0``, interrupts are checked after every
    ``check_every``-th step; one ends the epoch there, setting ``interrupted[0]``."""
    cdef Py_ssize_t block = _round_up(batch, CHUNK)
    cdef Py_ssize_t ld = _leading_dimension(block)
    cdef floating* gradient = work
    cdef floating* padded_inputs = gradient + net.n_theta
    cdef floating* batch_X = padded_inputs + net.dims[0] * ld
    cdef floating* batch_Y = batch_X + net.dims[0] * block
    cdef floating* scratch = _aligned(batch_Y + net.dims[net.L] * block)
    cdef Py_ssize_t k, p, first, count
    cdef floating l2 = <floating>reg.l2
    cdef double total = 0.0
    cdef Regularization batch_reg = reg[0]
    for k in range((m + batch - 1) // batch):
        first = k * batch
        count = batch if m - first > batch else m - first
        _gather(X, net.dims[0], m, order + first, count, batch_X, block)
        _gather(Y, net.dims[net.L], m, order + first, count, batch_Y, block)
        batch_reg.example_offset = first
        total += _train_block(net, theta, batch_X, batch_Y, block, 0, count, block, scratch,
                              padded_inputs, gradient, <floating>(1.0 / count), want_cost, True,
                              &batch_reg, t[0], NULL)
        if l2 != 0:
            for p in range(net.n_theta):
                if _is_weight(net, p):
                    gradient[p] = gradient[p] + l2 * theta[p]
        t[0] += 1
        _optimizer_step(theta, gradient, v, s, net.n_theta, optimizer, lr, beta, beta1,
                        beta2, epsilon, t[0])
        if check_every > 0 and t[0] % check_every == 0:
            _check_interrupt(interrupted)
            if interrupted[0]:
                break
    return total


# ---------------------------------------------------------------------------
# Entry points for training.py. Values (finiteness, labels) are validated there;
# these check only what memory safety needs: sizes consistent with ``dims``, at
# least one example. O(L) work per call, none per iteration. Every entry point
# that runs the network takes ``activation`` (the code of the hidden layers'
# activation in ``activations.ACTIVATIONS``, default ReLU) and leaky ReLU's
# ``negative_slope``.
# ---------------------------------------------------------------------------

cdef int _check_data(Net net, Py_ssize_t n_features, Py_ssize_t m) except -1:
    if m < 1 or n_features != net.dims[0]:
        raise ValueError(f"X must be ({net.dims[0]}, m) with m >= 1, got ({n_features}, {m})")
    return 0


cdef int _check_labels(Net net, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t m) except -1:
    if rows != net.dims[net.L] or cols != m:
        raise ValueError(f"Y must be ({net.dims[net.L]}, {m}), got ({rows}, {cols})")
    return 0


cdef int _check_size(Py_ssize_t size, Py_ssize_t needed, str name) except -1:
    if size != needed:
        raise ValueError(f"{name} has {size} values, needs {needed}")
    return 0


cdef Net _shape_only(const Py_ssize_t[::1] dims) except *:
    """A Net with only the layer sizes and ``n_theta`` filled in, for sizing
    buffers, after checking ``dims``."""
    cdef Net net
    cdef Py_ssize_t l
    net.L = dims.shape[0] - 1
    if net.L < 1:
        raise ValueError("dims needs >= 2 entries")
    net.n_theta = 0
    net.activation = FI_RELU
    net.slope = 0.0
    net.piece_bytes = _piece_bytes
    for l in range(1, net.L + 1):
        if dims[l - 1] < 1 or dims[l] < 1:
            raise ValueError("every layer size must be >= 1")
        net.n_theta += dims[l] * (dims[l - 1] + 1)
    net.dims = &dims[0]
    return net


cdef tuple _training_layout(Net net, Py_ssize_t m, int n_threads):
    cdef Py_ssize_t block = _block_columns(net, m)
    cdef Py_ssize_t n_blocks = (m + block - 1) // block
    cdef Py_ssize_t group = _group_size(n_blocks)
    cdef Py_ssize_t n_groups = (n_blocks + group - 1) // group
    cdef Py_ssize_t ld = _leading_dimension(block)
    return (n_groups * net.n_theta + net.dims[0] * ld + ALIGNMENT
            + n_threads * _thread_area(net, block), n_blocks)


def training_layout(const Py_ssize_t[::1] dims, Py_ssize_t m, int n_threads):
    """``(work_size, n_blocks)`` for :func:`descend` on ``m`` examples with
    ``n_threads`` threads."""
    cdef Net net = _shape_only(dims)
    if m < 1 or n_threads < 1:
        raise ValueError("m and n_threads must be >= 1")
    return _training_layout(net, m, n_threads)


cdef Regularization _regularization(Net net, Py_ssize_t m, double lambd, double keep_prob,
                                   unsigned long long seed,
                                   const unsigned char[::1] masks) except *:
    """The L2 and dropout settings of a run on ``m`` examples, checked:
    ``lambd >= 0``, ``0 < keep_prob <= 1``, ``masks`` None (hashed from
    ``seed``) or one byte per hidden unit and example."""
    cdef Regularization reg
    cdef Py_ssize_t hidden_rows = _layer_offset(net, net.L, 1)
    if not (isfinite(lambd) and lambd >= 0):
        raise ValueError(f"lambd must be a finite number >= 0, got {lambd}")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    reg.l2 = lambd / m
    reg.keep_prob = keep_prob
    reg.scale = 1 / keep_prob
    reg.threshold = <unsigned int>min(floor(keep_prob * 4294967296.0), 4294967295.0)
    reg.seed = seed
    reg.masks = NULL
    reg.m = m
    reg.example_offset = 0
    if masks is not None:
        _check_size(masks.shape[0], hidden_rows * m, "masks")
        if hidden_rows > 0:
            reg.masks = &masks[0]
    return reg


cdef int _check_training(Net net, Py_ssize_t n_features, Py_ssize_t m, Py_ssize_t y_rows,
                         Py_ssize_t y_cols, Py_ssize_t work_size, Py_ssize_t n_block_costs,
                         int n_threads) except -1:
    """The checks shared by :func:`descend` and :func:`gradient`."""
    _check_data(net, n_features, m)
    _check_labels(net, y_rows, y_cols, m)
    if n_threads < 1:
        raise ValueError("n_threads must be >= 1")
    needed_work, n_blocks = _training_layout(net, m, n_threads)
    _check_size(work_size, needed_work, "work")
    _check_size(n_block_costs, n_blocks, "block_costs")
    return 0


cdef double _summed(const double[::1] block_costs, Py_ssize_t m):
    """The mean cost from the blocks' summed costs, added in block order."""
    cdef Py_ssize_t b
    cdef double total = 0.0, compensation = 0.0
    for b in range(block_costs.shape[0]):
        _neumaier_add(&total, &compensation, block_costs[b])
    return (total + compensation) / m


def descend(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
            const Py_ssize_t[::1] b_off, floating[::1] theta,
            const floating[:, ::1] X, const floating[:, ::1] Y,
            floating[::1] work, double[::1] block_costs,
            double learning_rate, Py_ssize_t n_iterations, int n_threads,
            double lambd=0.0, double keep_prob=1.0, unsigned long long seed=0,
            const unsigned char[::1] masks=None, Py_ssize_t first_step=0,
            const floating[::1] row_space_offset=None, int activation=0,
            double negative_slope=0.0, Py_ssize_t check_every=0, double[::1] pace=None,
            int[::1] stop=None):
    """Run ``n_iterations`` gradient-descent steps in place on ``theta``.

    ``work`` and ``block_costs`` are sized by :func:`training_layout` (for the
    same ``n_threads``) and overwritten. ``lambd`` adds the L2 term; with
    ``keep_prob < 1`` the hidden layers are dropped out, with ``masks`` (one
    byte, 0 or 1, per hidden unit and example, reused at every step) or with masks
    hashed from ``seed`` and the step (counted from ``first_step``).

    Returns the cost before the first step (cross-entropy, with dropout, plus
    ``lambd / (2 m)`` times the summed squared weights); with
    ``n_iterations=0``, the cost of ``theta`` as it is, without dropout. The
    GIL is released for the whole loop; the result does not depend on
    ``n_threads``.

    With ``row_space_offset`` (``W_1(0) X``, n_1 * m values), the first layer
    is in row-space form (``row_space.RowSpace``): ``X`` is the Gram matrix
    ``X^T X`` of the data, and W_1 in ``theta`` holds the coefficients C of
    ``W_1 = W_1(0) + C X^T``, which move by ``-lr dZ_1``. (No L2 then: the
    penalty would need W_1 itself.)

    With ``check_every > 0``, signals are checked every ``check_every`` steps: a
    Ctrl-C (or ``stop[0]`` set, a one-int array another thread may set) ends the
    loop after the step in progress and raises KeyboardInterrupt (``theta`` then
    holds some completed steps). With
    ``pace`` as well (4 values, zeros before a run's first call, then kept from
    call to call), each chunk of ``check_every`` steps runs on ``n_threads`` or
    on one thread, whichever has been faster lately: the same bits, and a busy
    machine no longer makes the threads wait for each other.
    """
    cdef Net net = _net(dims, w_off, b_off, theta.shape[0])
    _set_activation(&net, activation, negative_slope)
    cdef Py_ssize_t m = X.shape[1]
    cdef Regularization reg
    cdef double penalty
    cdef const floating* offset = NULL
    _check_training(net, X.shape[0], m, Y.shape[0], Y.shape[1], work.shape[0],
                    block_costs.shape[0], n_threads)
    if n_iterations < 0 or first_step < 0:
        raise ValueError("n_iterations and first_step must be >= 0")
    reg = _regularization(net, m, lambd, keep_prob, seed, masks)
    if row_space_offset is not None:
        _check_size(row_space_offset.shape[0], net.dims[1] * m, "row_space_offset")
        if net.dims[0] != m or lambd != 0:
            raise ValueError("the row-space form needs X to be the (m, m) Gram matrix and "
                             "lambd = 0")
        offset = &row_space_offset[0]
    penalty = reg.l2 / 2 * _weight_square_sum(net, &theta[0])
    cdef int own = 0
    cdef int* interrupted = _stop_flag(stop, &own)
    cdef double* pace_data = NULL
    if check_every < 0:
        raise ValueError("check_every must be >= 0")
    if pace is not None:
        _check_size(pace.shape[0], PACE_SIZE, "pace")
        pace_data = &pace[0]
    with nogil:
        _descend(net, &theta[0], &X[0, 0], &Y[0, 0], m, &work[0], &block_costs[0],
                 <floating>learning_rate, n_iterations, n_threads, &reg, first_step, NULL,
                 offset, check_every, interrupted, pace_data)
    if interrupted[0]:
        _raise_interrupt()
    return _summed(block_costs, m) + penalty


def gradient(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
             const Py_ssize_t[::1] b_off, floating[::1] theta,
             const floating[:, ::1] X, const floating[:, ::1] Y,
             floating[::1] work, double[::1] block_costs, floating[::1] grad,
             int n_threads, double lambd=0.0, double keep_prob=1.0,
             unsigned long long seed=0, const unsigned char[::1] masks=None,
             Py_ssize_t step=0, int activation=0, double negative_slope=0.0):
    """The training gradient at ``theta``, written to ``grad`` (theta's layout),
    exactly as :func:`descend` computes it for ``step`` (same arguments);
    ``theta`` is not changed. Returns the cost that :func:`descend` would
    return for that step."""
    cdef Net net = _net(dims, w_off, b_off, theta.shape[0])
    _set_activation(&net, activation, negative_slope)
    cdef Py_ssize_t m = X.shape[1]
    cdef Regularization reg
    _check_training(net, X.shape[0], m, Y.shape[0], Y.shape[1], work.shape[0],
                    block_costs.shape[0], n_threads)
    _check_size(grad.shape[0], theta.shape[0], "grad")
    if step < 0:
        raise ValueError("step must be >= 0")
    reg = _regularization(net, m, lambd, keep_prob, seed, masks)
    with nogil:
        _descend(net, &theta[0], &X[0, 0], &Y[0, 0], m, &work[0], &block_costs[0],
                 0, 1, n_threads, &reg, step, &grad[0], NULL)
    return _summed(block_costs, m) + reg.l2 / 2 * _weight_square_sum(net, &theta[0])


def epoch_layout(const Py_ssize_t[::1] dims, Py_ssize_t batch):
    """Values of ``work`` that :func:`epoch` needs for mini-batches of ``batch``."""
    cdef Net net = _shape_only(dims)
    if batch < 1:
        raise ValueError("batch must be >= 1")
    cdef Py_ssize_t block = _round_up(batch, CHUNK)
    cdef Py_ssize_t ld = _leading_dimension(block)
    return (net.n_theta + dims[0] * ld + (dims[0] + dims[net.L]) * block
            + ALIGNMENT + _scratch_size(net, block))


def epochs(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
           const Py_ssize_t[::1] b_off, floating[::1] theta,
           const floating[:, ::1] X, const floating[:, ::1] Y, Py_ssize_t batch,
           floating[::1] work, Py_ssize_t[::1] order, floating[::1] v, floating[::1] s,
           int optimizer, double learning_rate, double beta, double beta1, double beta2,
           double epsilon, Py_ssize_t t, Py_ssize_t first_epoch, Py_ssize_t n_epochs,
           unsigned long long seed, int decay=NO_DECAY, double decay_rate=1.0,
           Py_ssize_t decay_interval=1000, double lambd=0.0, double keep_prob=1.0,
           int activation=0, double negative_slope=0.0, Py_ssize_t check_every=0,
           int[::1] stop=None):
    """Epochs ``first_epoch`` to ``first_epoch + n_epochs - 1`` of mini-batch
    training, in place on ``theta`` (and on the optimizer states ``v``, ``s``,
    theta's length each), as the course's model runs them: before epoch ``e``
    the examples are shuffled into ``order`` (m values, overwritten) by
    ``RandomState(seed + 1 + e).permutation(m)``, and each mini-batch of
    ``batch`` consecutive entries is gathered from it.

    ``optimizer`` is 0 (gd), 1 (momentum) or 2 (Adam); ``t`` is the step count
    so far (Adam's, and the dropout masks'). Epoch ``e`` uses
    ``learning_rate``, or with ``decay`` 1 (inverse) or 2 (scheduled) the
    course's rate after epoch ``e - 1``. ``lambd`` adds ``(lambd / m) W`` to
    every weight gradient, m being all the examples; ``keep_prob < 1`` drops
    out the hidden layers with masks hashed from ``seed`` and the step.
    ``work`` is sized by :func:`epoch_layout`. With ``check_every > 0``,
    signals are checked every ``check_every`` mini-batch steps; a Ctrl-C (or
    ``stop[0]`` set, as for :func:`descend`) raises KeyboardInterrupt after the step
    in progress.

    Returns ``(cost, new t)``: ``cost`` is the first epoch's summed
    cross-entropy plus ``m`` times the L2 penalty of the weights it started
    with (so divided by m it is that epoch's cost). The GIL is released for
    every epoch."""
    cdef Net net = _net(dims, w_off, b_off, theta.shape[0])
    _set_activation(&net, activation, negative_slope)
    cdef Py_ssize_t m = X.shape[1]
    cdef Regularization reg
    cdef double first_cost = 0.0, total, penalty, rate
    cdef Py_ssize_t e, epoch
    _check_data(net, X.shape[0], m)
    _check_labels(net, Y.shape[0], Y.shape[1], m)
    _check_size(order.shape[0], m, "order")
    if batch < 1 or optimizer not in (GD, MOMENTUM, ADAM) or t < 0:
        raise ValueError("batch must be >= 1, optimizer 0, 1 or 2, and t >= 0")
    if first_epoch < 0 or n_epochs < 1 or seed >= 2**32 \
            or seed + first_epoch + n_epochs >= 2**32 or m >= 2**32:
        raise ValueError("first_epoch must be >= 0, n_epochs >= 1, "
                         "seed + first_epoch + n_epochs and m < 2**32")
    if decay not in (NO_DECAY, INVERSE, SCHEDULED) or decay_interval < 1:
        raise ValueError("decay must be 0, 1 or 2 and decay_interval >= 1")
    _check_size(work.shape[0], epoch_layout(dims, batch), "work")
    _check_size(v.shape[0], theta.shape[0], "v")
    _check_size(s.shape[0], theta.shape[0], "s")
    reg = _regularization(net, m, lambd, keep_prob, seed, None)
    penalty = reg.l2 / 2 * _weight_square_sum(net, &theta[0])
    cdef int own = 0
    cdef int* interrupted = _stop_flag(stop, &own)
    if check_every < 0:
        raise ValueError("check_every must be >= 0")
    with nogil:
        for e in range(n_epochs):
            epoch = first_epoch + e
            fi_permutation(&order[0], m, <unsigned int>(seed + 1 + epoch))
            rate = learning_rate
            if epoch > 0:
                rate = _decayed(learning_rate, epoch - 1, decay, decay_rate, decay_interval)
            total = _epoch(net, &theta[0], &X[0, 0], &Y[0, 0], m, &order[0], batch, &work[0],
                           &v[0], &s[0], optimizer, <floating>rate, <floating>beta,
                           <floating>beta1, <floating>beta2, <floating>epsilon, &t, e == 0,
                           &reg, check_every, interrupted)
            if interrupted[0]:
                break
            if e == 0:
                first_cost = total
    if interrupted[0]:
        _raise_interrupt()
    return first_cost + m * penalty, t


# ---------------------------------------------------------------------------
# Passes for the embedding calls (fi.forward, fi.backward, predictions).
#
# forward_layers and backward_layers keep every layer, m values a row. Each value
# is computed with the operations of the plain loops (sums from 0 over the inputs
# or outputs in order, the bias added last), vectorized over examples, which
# changes no value: whole chunks go to the block kernels, the columns after the
# last whole chunk to scalar loops with the same operations.
#
# infer computes only the output, block by block in the training layout, on
# threads; every example's arithmetic is independent of the blocks, so every
# thread count gives the same bits.
# ---------------------------------------------------------------------------

cdef inline floating _madd(floating a, floating b, floating c) noexcept nogil:
    """c + a * b with one rounding (two on a CPU without FMA), as the loops
    vectorized over examples (the block kernels) round it."""
    if floating is float:
        return fi_madd_f(a, b, c)
    else:
        return fi_madd_d(a, b, c)


cdef inline floating _sigmoid(floating z) noexcept nogil:
    """1 / (1 + exp(-z)) in one lane. The float32 output rows of forward_layers
    and backward_layers use it, as they always have: in float32 its last bit can
    differ from the vector kernel's (fi_sigmoid_f). float64 rows use
    fi_sigmoid_d, which gives these same bits."""
    if floating is float:
        return 1 / (1 + fi_expf(-z))
    else:
        return 1 / (1 + fi_exp(-z))


cdef void _layer_forward(Net net, const floating* W, const floating* b,
                         const floating* A_prev, floating* Z, floating* A, Py_ssize_t n_out,
                         Py_ssize_t n_in, Py_ssize_t m, bint output) noexcept nogil:
    """Z = W @ A_prev + b, then A = sigmoid(Z) (``output``) or the hidden
    activation of Z."""
    cdef Py_ssize_t full = m - m % CHUNK
    cdef Py_ssize_t i, j, k
    cdef floating acc
    _block_forward(W, b, A_prev, m, Z, m, n_out, n_in, full, False, True)
    for i in range(n_out):
        for j in range(full, m):
            acc = 0
            for k in range(n_in):
                acc = _madd(W[i * n_in + k], A_prev[k * m + j], acc)
            Z[i * m + j] = acc + b[i]
        if output:
            if floating is float:
                for j in range(m):
                    A[i * m + j] = _sigmoid(Z[i * m + j])
            else:
                fi_sigmoid_d(Z + i * m, A + i * m, m)
        elif floating is float:  # ReLU too: fi_relu keeps NaN, a mask would make it 0
            fi_activate_f(Z + i * m, A + i * m, m, net.activation, <float>net.slope)
        else:
            fi_activate_d(Z + i * m, A + i * m, m, net.activation, net.slope)


cdef void _forward_layers(Net net, const floating* theta, const floating* X,
                          floating* Z, floating* A, Py_ssize_t m) noexcept nogil:
    cdef Py_ssize_t l, offset
    cdef const floating* A_prev = X
    for l in range(1, net.L + 1):
        offset = _layer_offset(net, l, m)
        _layer_forward(net, theta + net.w_off[l - 1], theta + net.b_off[l - 1], A_prev,
                       Z + offset, A + offset, net.dims[l], net.dims[l - 1], m, l == net.L)
        A_prev = A + offset


cdef void _backward_layers(Net net, const floating* theta, const floating* X,
                           const floating* Y, const floating* Z, const floating* A,
                           floating* dZ, floating* dA, floating* grad,
                           Py_ssize_t m) noexcept nogil:
    """dZ_L = (sigmoid(Z_L) - Y) / m, then for l = L..1: dW_l, db_l, and below
    the output dA_{l-1} = W_l.T @ dZ_l and dZ_{l-1} = dA_{l-1} * phi'(Z_{l-1}), from
    A_{l-1} = phi(Z_{l-1}) (for ReLU, A_{l-1} > 0)."""
    cdef Py_ssize_t full = m - m % CHUNK
    cdef Py_ssize_t l, i, j, k, n_out, n_in
    cdef Py_ssize_t offset = _layer_offset(net, net.L, m), prev_offset = 0
    cdef const floating* A_prev
    cdef const floating* W
    cdef floating acc
    cdef floating inv_m = <floating>(1.0 / m)
    if floating is float:
        for j in range(net.dims[net.L] * m):
            dZ[offset + j] = inv_m * (_sigmoid(Z[offset + j]) - Y[j])
    else:
        _block_output_delta(Z + offset, m, Y, m, dZ + offset, m, net.dims[net.L], m, m,
                            inv_m)
    for l in range(net.L, 0, -1):
        n_out, n_in = net.dims[l], net.dims[l - 1]
        if l > 1:
            prev_offset = _layer_offset(net, l - 1, m)
            A_prev = A + prev_offset
        else:
            A_prev = X
        if floating is float:
            fi_sequential_weight_gradient_f(dZ + offset, m, A_prev, m, grad + net.w_off[l - 1],
                                            grad + net.b_off[l - 1], n_out, n_in, m)
        else:
            fi_sequential_weight_gradient_d(dZ + offset, m, A_prev, m, grad + net.w_off[l - 1],
                                            grad + net.b_off[l - 1], n_out, n_in, m)
        if l > 1:
            W = theta + net.w_off[l - 1]
            _block_input_gradient(W, dZ + offset, m, NULL, m, dA + prev_offset, m,
                                  n_out, n_in, full)
            for k in range(n_in):
                for j in range(full, m):
                    acc = 0
                    for i in range(n_out):
                        acc = _madd(W[i * n_in + k], dZ[offset + i * m + j], acc)
                    dA[prev_offset + k * m + j] = acc
            if net.activation != FI_RELU:
                _activation_delta_rows(net, A_prev, 0, dA + prev_offset, 0, dZ + prev_offset,
                                       0, 1, n_in * m, 1)
            elif floating is float:
                fi_mask_f(A_prev, dA + prev_offset, dZ + prev_offset, n_in * m)
            else:
                fi_mask_d(A_prev, dA + prev_offset, dZ + prev_offset, n_in * m)
        offset = prev_offset


cdef Py_ssize_t _infer_block(Net net, const floating* theta, const floating* X,
                             const floating* Y, Py_ssize_t m, Py_ssize_t first,
                             Py_ssize_t count, Py_ssize_t ld, floating* scratch,
                             floating* padded_inputs, floating* proba) noexcept nogil:
    """The output probabilities of examples ``first`` to ``first + count`` (fewer at
    the end), into ``proba`` (n_L x m) unless NULL; returns how many labels of
    ``Y`` (unless NULL) the 0.5 threshold predicts. ``scratch`` holds two layers
    of the widest size, ``ld`` apart (see :func:`_train_block` for the padding)."""
    cdef Py_ssize_t l, k, i, j, hits = 0
    cdef Py_ssize_t nb = m - first if m - first < count else count
    cdef Py_ssize_t width = _round_up(nb, CHUNK)
    cdef const floating* inputs = X + first
    cdef Py_ssize_t ld_inputs = m
    cdef floating* out = scratch
    cdef floating* spare = scratch + _widest(net) * ld
    cdef floating* swap
    cdef floating* row
    if width != nb:
        for k in range(net.dims[0]):
            memcpy(padded_inputs + k * ld, X + k * m + first, nb * sizeof(floating))
            memset(padded_inputs + k * ld + nb, 0, (width - nb) * sizeof(floating))
        inputs = padded_inputs
        ld_inputs = ld
    for l in range(1, net.L + 1):
        _block_forward(theta + net.w_off[l - 1], theta + net.b_off[l - 1], inputs, ld_inputs,
                       out, ld, net.dims[l], net.dims[l - 1], width,
                       l < net.L and net.activation == FI_RELU)
        if l < net.L and net.activation != FI_RELU:
            _activate_rows(net, out, ld, net.dims[l], width)
        inputs = out
        ld_inputs = ld
        swap = out
        out = spare
        spare = swap
    for i in range(net.dims[net.L]):
        row = spare + i * ld
        if floating is float:
            fi_sigmoid_f(row, row, nb)
        else:
            fi_sigmoid_d(row, row, nb)
        if proba != NULL:
            memcpy(proba + i * m + first, row, nb * sizeof(floating))
        if Y != NULL:
            for j in range(nb):
                hits += (row[j] > 0.5) == (Y[i * m + first + j] > 0.5)
    return hits


cdef Py_ssize_t _infer(Net net, const floating* theta, const floating* X, const floating* Y,
                       Py_ssize_t m, floating* work, int n_threads,
                       floating* proba) noexcept nogil:
    """:func:`_infer_block` over every block, on ``n_threads`` threads. ``work``:
    the padded inputs of the last block, then two widest layers per thread."""
    cdef Py_ssize_t block = _block_columns(net, m)
    cdef Py_ssize_t n_blocks = (m + block - 1) // block
    cdef Py_ssize_t ld = _leading_dimension(block)
    cdef Py_ssize_t scratch_size = 2 * _widest(net) * ld
    cdef floating* padded_inputs = work
    cdef floating* areas = work + net.dims[0] * ld
    cdef floating* scratch = NULL
    cdef Py_ssize_t b, hits = 0
    if n_threads == 1:
        for b in range(n_blocks):
            hits += _infer_block(net, theta, X, Y, m, b * block, block, ld, areas,
                                 padded_inputs, proba)
        return hits
    with parallel(num_threads=n_threads):
        scratch = areas + threadid() * scratch_size
        for b in prange(n_blocks, schedule="static"):
            hits += _infer_block(net, theta, X, Y, m, b * block, block, ld, scratch,
                                 padded_inputs, proba)
    return hits


cdef Net _plan_net(object plan, Py_ssize_t theta_size) except *:
    """The network of a plan: an intp array ``[n_0, ..., n_L, w_off (L values),
    b_off (L values)]``, as ``network.Network.plan`` holds it."""
    cdef cnp.ndarray array
    cdef Py_ssize_t L
    cdef const Py_ssize_t* values
    if not isinstance(plan, cnp.ndarray):
        raise TypeError("plan must be a NumPy array")
    array = <cnp.ndarray>plan
    if (cnp.PyArray_TYPE(array) != cnp.NPY_INTP or cnp.PyArray_NDIM(array) != 1
            or not cnp.PyArray_IS_C_CONTIGUOUS(array) or not cnp.PyArray_ISALIGNED(array)
            or cnp.PyArray_SIZE(array) < 4 or (cnp.PyArray_SIZE(array) - 1) % 3):
        raise ValueError("plan must be a contiguous intp array of 3 L + 1 values")
    L = (cnp.PyArray_SIZE(array) - 1) // 3
    values = <const Py_ssize_t*>cnp.PyArray_DATA(array)
    return _net_of(L, values, values + L + 1, values + 2 * L + 1, theta_size)


cdef int _float_type(object theta, str name="theta") except -1:
    """NPY_DOUBLE or NPY_FLOAT: the dtype of ``theta`` (called ``name`` in errors),
    which every array of a call shares."""
    if isinstance(theta, cnp.ndarray):
        if cnp.PyArray_TYPE(<cnp.ndarray>theta) in (cnp.NPY_DOUBLE, cnp.NPY_FLOAT):
            return cnp.PyArray_TYPE(<cnp.ndarray>theta)
    raise TypeError(f"{name} must be a float32 or float64 NumPy array")


cdef void* _data(object array, int typenum, Py_ssize_t size, str name,
                 bint writable) except NULL:
    """The data of a C-contiguous, aligned array of ``typenum`` with ``size`` values."""
    cdef cnp.ndarray a
    if not isinstance(array, cnp.ndarray):
        raise TypeError(f"{name} must be a NumPy array")
    a = <cnp.ndarray>array
    if (cnp.PyArray_TYPE(a) != typenum or not cnp.PyArray_IS_C_CONTIGUOUS(a)
            or not cnp.PyArray_ISALIGNED(a) or cnp.PyArray_SIZE(a) != size
            or (writable and not cnp.PyArray_ISWRITEABLE(a))):
        raise ValueError(f"{name} must be a C-contiguous{', writable' if writable else ''} "
                         f"{'float64' if typenum == cnp.NPY_DOUBLE else 'float32'} array "
                         f"of {size} values")
    return cnp.PyArray_DATA(a)


cdef Py_ssize_t _columns(object X, Net net, int typenum) except -1:
    """m, after checking that ``X`` is a C-contiguous (n_0, m) array, m >= 1."""
    if (not isinstance(X, cnp.ndarray) or cnp.PyArray_NDIM(<cnp.ndarray>X) != 2
            or cnp.PyArray_DIMS(<cnp.ndarray>X)[0] != net.dims[0]
            or cnp.PyArray_DIMS(<cnp.ndarray>X)[1] < 1):
        raise ValueError(f"X must be a ({net.dims[0]}, m) array with m >= 1")
    return cnp.PyArray_DIMS(<cnp.ndarray>X)[1]


def forward_layers(plan, theta, X, out,
                   int activation=0, double negative_slope=0.0):
    """Forward pass keeping every layer.

    ``out`` (``2 sum(n_l) m`` values) receives every Z_l, then every A_l, each
    ``(n_l, m)`` row-major, layer after layer; A_L is the sigmoid of the logits
    Z_L. The GIL is released.
    """
    cdef int typenum = _float_type(theta)
    cdef Net net = _plan_net(plan, cnp.PyArray_SIZE(<cnp.ndarray>theta))
    cdef Py_ssize_t m = _columns(X, net, typenum)
    _set_activation(&net, activation, negative_slope)
    cdef Py_ssize_t size = _layer_offset(net, net.L + 1, m)
    cdef void* t = _data(theta, typenum, net.n_theta, "theta", False)
    cdef void* x = _data(X, typenum, net.dims[0] * m, "X", False)
    cdef void* z = _data(out, typenum, 2 * size, "out", True)
    with nogil:
        if typenum == cnp.NPY_DOUBLE:
            _forward_layers[double](net, <double*>t, <double*>x, <double*>z,
                                    <double*>z + size, m)
        else:
            _forward_layers[float](net, <float*>t, <float*>x, <float*>z, <float*>z + size, m)


def backward_layers(plan, theta, X, Y, layers, deltas, grad, int activation=0,
                    double negative_slope=0.0):
    """Backward pass from a :func:`forward_layers` result ``layers``, keeping
    every layer.

    ``deltas`` (``(2 sum(n_l) - n_L) m`` values) receives every dZ_l, then the
    hidden layers' dA_l, in the layout of ``layers``; ``grad`` receives dW_l and
    db_l in the layout of ``theta``. The GIL is released.
    """
    cdef int typenum = _float_type(theta)
    cdef Net net = _plan_net(plan, cnp.PyArray_SIZE(<cnp.ndarray>theta))
    cdef Py_ssize_t m = _columns(X, net, typenum)
    _set_activation(&net, activation, negative_slope)
    cdef Py_ssize_t size = _layer_offset(net, net.L + 1, m)
    cdef void* t = _data(theta, typenum, net.n_theta, "theta", False)
    cdef void* x = _data(X, typenum, net.dims[0] * m, "X", False)
    cdef void* y = _data(Y, typenum, net.dims[net.L] * m, "Y", False)
    cdef void* z = _data(layers, typenum, 2 * size, "layers", False)
    cdef void* d = _data(deltas, typenum, size + _layer_offset(net, net.L, m), "deltas", True)
    cdef void* g = _data(grad, typenum, net.n_theta, "grad", True)
    with nogil:
        if typenum == cnp.NPY_DOUBLE:
            _backward_layers[double](net, <double*>t, <double*>x, <double*>y, <double*>z,
                                     <double*>z + size, <double*>d, <double*>d + size,
                                     <double*>g, m)
        else:
            _backward_layers[float](net, <float*>t, <float*>x, <float*>y, <float*>z,
                                    <float*>z + size, <float*>d, <float*>d + size,
                                    <float*>g, m)


def infer(plan, theta, X, proba, Y, int n_threads, int activation=0,
          double negative_slope=0.0):
    """The output probabilities of ``X`` into ``proba`` ((n_L, m) values, or
    None), and with labels ``Y`` (or None) the number of them the 0.5 threshold
    predicts (else 0). Only the output is stored; the GIL is released; every
    ``n_threads`` gives the same bits."""
    cdef int typenum = _float_type(theta)
    cdef Net net = _plan_net(plan, cnp.PyArray_SIZE(<cnp.ndarray>theta))
    cdef Py_ssize_t m = _columns(X, net, typenum)
    _set_activation(&net, activation, negative_slope)
    cdef void* t = _data(theta, typenum, net.n_theta, "theta", False)
    cdef void* x = _data(X, typenum, net.dims[0] * m, "X", False)
    cdef void* p = NULL
    cdef void* y = NULL
    cdef Py_ssize_t ld, hits
    cdef cnp.npy_intp work_size
    cdef cnp.ndarray work
    if n_threads < 1:
        raise ValueError("n_threads must be >= 1")
    if proba is not None:
        p = _data(proba, typenum, net.dims[net.L] * m, "proba", True)
    if Y is not None:
        y = _data(Y, typenum, net.dims[net.L] * m, "Y", False)
    ld = _leading_dimension(_block_columns(net, m))
    work_size = net.dims[0] * ld + n_threads * 2 * _widest(net) * ld
    work = cnp.PyArray_EMPTY(1, &work_size, typenum, 0)
    with nogil:
        if typenum == cnp.NPY_DOUBLE:
            hits = _infer[double](net, <double*>t, <double*>x, <double*>y, m,
                                  <double*>cnp.PyArray_DATA(work), n_threads, <double*>p)
        else:
            hits = _infer[float](net, <float*>t, <float*>x, <float*>y, m,
                                 <float*>cnp.PyArray_DATA(work), n_threads, <float*>p)
    return hits


cdef enum:
    PRODUCT_ROWS = 64     # rows of out per task of product() and product_of_transpose()


cdef void _product_rows(const floating* A, Py_ssize_t sai, Py_ssize_t sak,
                        const floating* B, floating* out, Py_ssize_t first, Py_ssize_t n,
                        Py_ssize_t k, Py_ssize_t p, bint upper) noexcept nogil:
    """Rows ``first`` to ``first + PRODUCT_ROWS`` (fewer at the end) of ``A @ B``,
    A's element (i, k) at ``A[i * sai + k * sak]``; with ``upper``, only from the
    diagonal on."""
    cdef Py_ssize_t rows = n - first if n - first < PRODUCT_ROWS else PRODUCT_ROWS
    cdef Py_ssize_t diagonal = first if upper else -1
    if floating is double:
        fi_block_product_d(A + first * sai, sai, sak, B, p, out + first * p, p, rows, p, k,
                           diagonal)
    else:
        fi_block_product_f(A + first * sai, sai, sak, B, p, out + first * p, p, rows, p, k,
                           diagonal)


cdef tuple _product_shapes(A, B, out, int n_threads, bint of_transpose):
    """(typenum, n, k, p) of ``A @ B`` (``A.T @ B`` when ``of_transpose``) after
    checking the arrays: C-contiguous, 2-D, one dtype, shapes that agree."""
    cdef int typenum = _float_type(A, "A")
    cdef int inner = 0 if of_transpose else 1
    if (cnp.PyArray_NDIM(<cnp.ndarray>A) != 2 or not isinstance(B, cnp.ndarray)
            or cnp.PyArray_NDIM(<cnp.ndarray>B) != 2
            or cnp.PyArray_DIMS(<cnp.ndarray>B)[0] != cnp.PyArray_DIMS(<cnp.ndarray>A)[inner]):
        raise ValueError("A and B must be 2-D arrays of shapes "
                         f"{'(k, n)' if of_transpose else '(n, k)'} and (k, p)")
    cdef Py_ssize_t n = cnp.PyArray_DIMS(<cnp.ndarray>A)[1 - inner]
    cdef Py_ssize_t k = cnp.PyArray_DIMS(<cnp.ndarray>A)[inner]
    cdef Py_ssize_t p = cnp.PyArray_DIMS(<cnp.ndarray>B)[1]
    _data(A, typenum, n * k, "A", False)
    _data(B, typenum, p * k, "B", False)
    _data(out, typenum, n * p, "out", True)
    if cnp.PyArray_NDIM(<cnp.ndarray>out) != 2 or out.shape != (n, p):
        raise ValueError(f"out must have shape ({n}, {p}), got {out.shape}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be at least 1, got {n_threads}")
    return typenum, n, k, p


cdef _fixed_order_product(A, B, out, int n_threads, bint of_transpose, bint symmetric):
    """``product`` and ``product_of_transpose``: row blocks of out to ``n_threads``
    threads, the GIL released. Fewer columns than a chunk are padded with zeros
    (the kernel needs one whole chunk)."""
    cdef int typenum
    cdef Py_ssize_t n, k, p, first, padded
    typenum, n, k, p = _product_shapes(A, B, out, n_threads, of_transpose)
    if symmetric and (A is not B or n != p):
        raise ValueError("a symmetric product takes the same array as A and B")
    if k == 0 or n == 0 or p == 0:
        out[...] = 0
        return
    cdef Py_ssize_t sai = 1 if of_transpose else k
    cdef Py_ssize_t sak = n if of_transpose else 1
    padded = p if p >= CHUNK else CHUNK
    wide_B = B if padded == p else np.pad(B, ((0, 0), (0, padded - p)))
    wide_out = out if padded == p else np.empty((n, padded), dtype=out.dtype)
    cdef void* a = cnp.PyArray_DATA(<cnp.ndarray>A)
    cdef void* b = cnp.PyArray_DATA(<cnp.ndarray>wide_B)
    cdef void* o = cnp.PyArray_DATA(<cnp.ndarray>wide_out)
    with nogil, parallel(num_threads=n_threads):
        for first in prange(0, n, PRODUCT_ROWS, schedule="dynamic"):
            if typenum == cnp.NPY_DOUBLE:
                _product_rows[double](<double*>a, sai, sak, <double*>b, <double*>o, first, n,
                                      k, padded, symmetric)
            else:
                _product_rows[float](<float*>a, sai, sak, <float*>b, <float*>o, first, n, k,
                                     padded, symmetric)
    if padded != p:
        out[...] = wide_out[:, :p]
    if symmetric:
        lower = np.tril_indices(n, -1)
        out[lower] = out.T[lower]


def product(A, B, out, int n_threads=1):
    """``out = A @ B`` for C-contiguous 2-D arrays of one dtype, ``A`` of shape (n, k)
    and ``B`` of (k, p): each value one chain of multiply-adds from 0 over k in order,
    as the forward pass sums, so the same bits on every CPU and thread count, unlike
    BLAS. Rows of ``out`` go to ``n_threads`` threads in blocks; the GIL is released."""
    _fixed_order_product(A, B, out, n_threads, False, False)


def product_of_transpose(A, B, out, int n_threads=1, bint symmetric=False):
    """``out = A.T @ B`` for C-contiguous 2-D arrays of one dtype, ``A`` of shape
    (k, n) and ``B`` of (k, p), read as they lie (no transposed copy): summed as
    :func:`product` sums. ``symmetric``: ``A`` is ``B``, so only the upper triangle is
    computed and the lower one copied from it (the same bits: each value's products
    and their order are the same)."""
    _fixed_order_product(A, B, out, n_threads, True, symmetric)


def gradient_step(theta, grad, double learning_rate):
    """``theta -= learning_rate * grad`` in place (``grad`` has theta's length and
    dtype), fused into one rounding (two on a CPU without FMA)."""
    cdef int typenum = _float_type(theta)
    cdef Py_ssize_t n = cnp.PyArray_SIZE(<cnp.ndarray>theta)
    cdef void* t = _data(theta, typenum, n, "theta", True)
    cdef void* g = _data(grad, typenum, n, "grad", False)
    with nogil:
        if typenum == cnp.NPY_DOUBLE:
            _gradient_step[double](<double*>t, <double*>g, -learning_rate, n)
        else:
            _gradient_step[float](<float*>t, <float*>g, <float>-learning_rate, n)


cdef void _gradient_step(floating* theta, const floating* grad, floating step,
                         Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t p
    for p in range(n):
        theta[p] = _madd(step, grad[p], theta[p])
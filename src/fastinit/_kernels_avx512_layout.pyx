# cython: language_level=3
"""fastinit's compiled core with AVX-512's registers, tiles and sums emulated on
AVX2 and FMA: a test build (FASTINIT_AVX512_LAYOUT=1 at build time), so that a
machine without AVX-512 can check that the AVX-512 build computes the same bits.
See _kernels_impl.pxi."""

cdef extern from *:
    """
    #include "_import_guard.h"
    FI_GUARD_INIT(_kernels_avx512_layout, fi_cpu_has_avx2_fma, "AVX2 with FMA")
    #define PyInit__kernels_avx512_layout fi_unguarded_init
    """

include "_kernels_impl.pxi"

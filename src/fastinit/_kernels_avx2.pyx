# cython: language_level=3
"""fastinit's compiled core, built for AVX2 and FMA. See _kernels_impl.pxi."""

cdef extern from *:
    """
    #include "_import_guard.h"
    FI_GUARD_INIT(_kernels_avx2, fi_cpu_has_avx2_fma, "AVX2 with FMA")
    #define PyInit__kernels_avx2 fi_unguarded_init
    """

include "_kernels_impl.pxi"

# cython: language_level=3
"""fastinit's compiled core, built for AVX-512 (F, VL, DQ) and FMA. See _kernels_impl.pxi."""

cdef extern from *:
    """
    #include "_import_guard.h"
    FI_GUARD_INIT(_kernels_avx512, fi_cpu_has_avx512, "AVX-512 F, VL and DQ with FMA")
    #define PyInit__kernels_avx512 fi_unguarded_init
    """

include "_kernels_impl.pxi"

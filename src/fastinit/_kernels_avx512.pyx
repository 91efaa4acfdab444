# cython: language_level=3
"""fastinit's compiled core, built for AVX-512 (F, VL, DQ) and FMA. See _kernels_impl.pxi."""

include "_kernels_impl.pxi"

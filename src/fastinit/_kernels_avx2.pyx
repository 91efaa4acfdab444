# cython: language_level=3
"""fastinit's compiled core, built for AVX2 and FMA. See _kernels_impl.pxi."""

include "_kernels_impl.pxi"

# cython: language_level=3
"""fastinit's compiled core with AVX-512's registers, tiles and sums emulated on
AVX2 and FMA: a test build (FASTINIT_AVX512_LAYOUT=1 at build time), so that a
machine without AVX-512 can check that the AVX-512 build computes the same bits.
See _kernels_impl.pxi."""

include "_kernels_impl.pxi"

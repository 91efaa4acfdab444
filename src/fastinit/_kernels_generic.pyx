# cython: language_level=3
"""fastinit's compiled core, built for the baseline instruction set. See _kernels_impl.pxi."""

include "_kernels_impl.pxi"

"""Build the compiled core.

The kernels (``src/fastinit/_kernels_impl.pxi``) are compiled as
``_kernels_generic`` for the platform's baseline instruction set and, on x86-64
with GCC or Clang, also as ``_kernels_avx2`` with ``-mavx2 -mfma`` and as
``_kernels_avx512`` with ``-mavx512f -mavx512vl -mavx512dq -mfma``;
``_kernels.py`` chooses at import. ``_boundary`` holds the C fast path of the argument checks.
Both use NumPy's C API, so NumPy's headers are needed at build time. Threads use
OpenMP where the compiler has it (Linux).

Every build is compiled with ``-ffp-contract=off``: the compiler never fuses a
multiply and an add on its own, so the kernels' arithmetic is what ``_simd.h``
writes, and the generic, AVX2 and AVX-512 builds give the same bits.

Set ``FASTINIT_AVX512_LAYOUT=1`` to build also ``_kernels_avx512_layout``, a test
build that emulates the AVX-512 build's registers, tiles and sums with AVX2 (so a
CPU without AVX-512 can check that build's bits; ``FASTINIT_ISA=avx512_layout``).

Set ``FASTINIT_BOUNDSCHECK=1`` in the environment to build with bounds and
initialization checks on, for hunting a crash.
"""

import os
import platform
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

CHECKED = os.environ.get("FASTINIT_BOUNDSCHECK", "0") not in ("", "0")
AVX512_LAYOUT = os.environ.get("FASTINIT_AVX512_LAYOUT", "0") not in ("", "0")
MSVC = sys.platform == "win32"
X86_64 = platform.machine().lower() in ("x86_64", "amd64")

directives = {
    "language_level": 3,
    "boundscheck": CHECKED,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": CHECKED,
}

if MSVC:
    compile_args, link_args = ["/O2", "/openmp"], []
elif sys.platform.startswith("linux"):
    compile_args, link_args = ["-O3", "-funroll-loops", "-fopenmp"], ["-fopenmp"]
else:
    compile_args, link_args = ["-O3", "-funroll-loops"], []


def extension(name, extra_args=()):
    return Extension(
        f"fastinit.{name}",
        [f"src/fastinit/{name}.pyx"],
        include_dirs=["src/fastinit", numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=[*compile_args, *extra_args]
        + ([] if MSVC else ["-Wno-psabi", "-ffp-contract=off"]),
        extra_link_args=link_args,
    )


extensions = [extension("_boundary"), extension("_kernels_generic")]
if X86_64 and not MSVC:
    extensions.append(extension("_kernels_avx2", ["-mavx2", "-mfma"]))
    extensions.append(extension("_kernels_avx512", ["-mavx512f", "-mavx512vl", "-mavx512dq",
                                                    "-mfma"]))
    if AVX512_LAYOUT:
        extensions.append(extension("_kernels_avx512_layout",
                                    ["-mavx2", "-mfma", "-DFI_AVX512_LAYOUT"]))

setup(ext_modules=cythonize(extensions, compiler_directives=directives))

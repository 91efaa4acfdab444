"""Build the compiled core.

The kernels (``src/fastinit/_kernels_impl.pxi``) are compiled twice: as
``_kernels_generic`` for the platform's baseline instruction set and, on x86-64
with GCC or Clang, as ``_kernels_avx2`` with ``-mavx2 -mfma``; ``_kernels.py``
chooses at import. Threads use OpenMP where the compiler has it (Linux).

Set ``FASTINIT_BOUNDSCHECK=1`` in the environment to build with bounds and
initialization checks on, for hunting a crash.
"""

import os
import platform
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

CHECKED = os.environ.get("FASTINIT_BOUNDSCHECK", "0") not in ("", "0")
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


def kernels(name, extra_args=()):
    return Extension(
        f"fastinit.{name}",
        [f"src/fastinit/{name}.pyx"],
        include_dirs=["src/fastinit"],
        extra_compile_args=[*compile_args, *extra_args] + ([] if MSVC else ["-Wno-psabi"]),
        extra_link_args=link_args,
    )


extensions = [kernels("_kernels_generic")]
if X86_64 and not MSVC:
    extensions.append(kernels("_kernels_avx2", ["-mavx2", "-mfma"]))

setup(ext_modules=cythonize(extensions, compiler_directives=directives))

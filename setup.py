"""Build the Cython extension.

Compiler directives live here. Set ``FASTINIT_BOUNDSCHECK=1`` in the environment
to build with bounds and initialization checks on, for hunting a crash.
"""

import os

from Cython.Build import cythonize
from setuptools import Extension, setup

CHECKED = os.environ.get("FASTINIT_BOUNDSCHECK", "0") not in ("", "0")

directives = {
    "language_level": 3,
    "boundscheck": CHECKED,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": CHECKED,
}

extensions = [
    Extension(
        "fastinit._kernels",
        ["src/fastinit/_kernels.pyx"],
        extra_compile_args=["-O3"] if os.name != "nt" else ["/O2"],
    )
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives))

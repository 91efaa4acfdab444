"""Build the compiled core.

The core (``src/fastinit/_kernels_core.pyx``) is cythonized and compiled once.
The kernels it calls (``_simd.h``, through ``_kernels_build.c``) are compiled once
per build: for the platform's baseline instruction set, and on x86-64 with GCC or
Clang also with ``-mavx2 -mfma`` and with ``-mavx512f -mavx512vl -mavx512dq
-mfma``. Each build is linked with the core's object file into a module of its
own (``_kernels_generic``, ``_kernels_avx2``, ``_kernels_avx512``);
``_kernels.py`` chooses at import. ``_boundary`` holds the C fast path of the
argument checks. Both use NumPy's C API, so NumPy's headers are needed at build
time. Threads use OpenMP where the compiler has it (Linux).

Every object file is compiled on one pool of threads (one per CPU, or
``build_ext -j N``), the core and the generic kernels, the longest, first: the core
and each build's kernels are separate jobs, so two cores build in about half the
time of one. Python's CFLAGS ask for ``-g``; ``-g0`` drops it (a third of the
compile time) except in the bounds-checked build.

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
from concurrent.futures import ThreadPoolExecutor

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CHECKED = os.environ.get("FASTINIT_BOUNDSCHECK", "0") not in ("", "0")
AVX512_LAYOUT = os.environ.get("FASTINIT_AVX512_LAYOUT", "0") not in ("", "0")
MSVC = sys.platform == "win32"
X86_64 = platform.machine().lower() in ("x86_64", "amd64")
SOURCE = "src/fastinit"
GENERATED = os.path.join("build", "cython")

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
    compile_args, link_args = ["-O3", "-fopenmp"], ["-fopenmp"]
else:
    compile_args, link_args = ["-O3"], []
if not MSVC:
    compile_args += ["-Wno-psabi", "-ffp-contract=off", "-fvisibility=hidden"]
    if not CHECKED:
        compile_args.append("-g0")

#: The builds of the kernels: (module, compiler flags, the _cpu.h test the CPU must
#: pass to import it, or None for the baseline).
builds = [("_kernels_generic", [], None)]
if X86_64 and not MSVC:
    builds.append(("_kernels_avx2", ["-mavx2", "-mfma"], "fi_cpu_has_avx2_fma"))
    builds.append(("_kernels_avx512", ["-mavx512f", "-mavx512vl", "-mavx512dq", "-mfma"],
                   "fi_cpu_has_avx512"))
    if AVX512_LAYOUT:
        builds.append(("_kernels_avx512_layout", ["-mavx2", "-mfma", "-DFI_AVX512_LAYOUT"],
                       "fi_cpu_has_avx2_fma"))


class Unit:
    """One object file: a C source compiled with its own flags and macros into
    a folder of its own under build_temp (the kernels' source is compiled once per
    build, into as many objects)."""

    def __init__(self, source, folder, extra_args=(), macros=()):
        self.source, self.folder = source, folder
        self.extra_args, self.macros = list(extra_args), list(macros)


class ParallelBuildExt(build_ext):
    """Compile every extension's object files on one pool of threads, each object
    once (the core's object is linked into every build), then link."""

    def build_extensions(self):
        self.check_extensions_list(self.extensions)
        units = {}
        for ext in self.extensions:
            for unit in ext.units:
                units.setdefault((unit.source, unit.folder), unit)
        workers = self.parallel if isinstance(self.parallel, int) and self.parallel > 0 \
            else os.cpu_count() or 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            objects = dict(zip(units, pool.map(self._compile_unit, units.values())))
        for ext in self.extensions:
            self._link(ext, [objects[unit.source, unit.folder] for unit in ext.units])

    def _compile_unit(self, unit):
        ext = self.extensions[0]
        (obj,) = self.compiler.compile(
            [unit.source], output_dir=os.path.join(self.build_temp, unit.folder),
            macros=ext.define_macros + unit.macros, include_dirs=ext.include_dirs,
            extra_postargs=compile_args + unit.extra_args, debug=self.debug)
        return obj

    def _link(self, ext, objects):
        self.compiler.link_shared_object(
            objects, self.get_ext_fullpath(ext.name), libraries=self.get_libraries(ext),
            library_dirs=ext.library_dirs, runtime_library_dirs=ext.runtime_library_dirs,
            extra_postargs=ext.extra_link_args, export_symbols=self.get_export_symbols(ext),
            debug=self.debug, build_temp=self.build_temp, target_lang=ext.language)


def extension(name, units):
    ext = Extension(f"fastinit.{name}", [unit.source for unit in units],
                    include_dirs=[SOURCE, numpy.get_include()],
                    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
                    extra_link_args=link_args)
    ext.units = units
    return ext


def generated(*pyx):
    """The C that Cython writes for each ``.pyx`` (once; on two processes where
    there are two CPUs), as units."""
    modules = cythonize([Extension(f"fastinit.{name}", [f"{SOURCE}/{name}.pyx"],
                                   include_dirs=[SOURCE]) for name in pyx],
                        compiler_directives=directives, build_dir=GENERATED, quiet=True,
                        nthreads=min(len(pyx), os.cpu_count() or 1))
    return [Unit(module.sources[0], name) for name, module in zip(pyx, modules)]


core, boundary = generated("_kernels_core", "_boundary")
core.macros.append(("PyInit__kernels_core", "fi_core_init"))
extensions = []
for module, flags, cpu_test in builds:
    macros = [("FI_MODULE", module)] + ([("FI_CPU_RUNS", cpu_test)] if cpu_test else [])
    kernels = Unit(f"{SOURCE}/_kernels_build.c", module, flags, macros)
    extensions.append(extension(module, [core, kernels]))
# Last: the pool takes units in this order, and this one is the shortest.
extensions.append(extension("_boundary", [boundary]))

setup(ext_modules=extensions, cmdclass={"build_ext": ParallelBuildExt})

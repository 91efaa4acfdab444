"""The compiled core for this CPU.

The core (``_kernels_core.pyx``) is compiled once and linked with each build of
the kernels (``_kernels_build.c``): for the baseline instruction set of the
platform (``_kernels_generic``) and, on x86-64, for AVX2 with FMA
(``_kernels_avx2``) and for AVX-512 F/VL/DQ with FMA (``_kernels_avx512``); each
module runs its own build's kernels. At import this module asks the CPU what it has and
re-exports the fastest build it can run, so one wheel runs on any x86-64 CPU.
Set ``FASTINIT_ISA=generic`` (or ``avx2``, or ``avx512``) in the environment to
force a build; ``avx512_layout`` forces the test build that emulates AVX-512's
registers with AVX2, where it was built (``FASTINIT_AVX512_LAYOUT=1``).
"""

import importlib
import os

from . import _kernels_generic

__all__ = ["INSTRUCTION_SET", "MULTIPLY_ADD", "backward_layers", "descend", "epoch_layout",
           "epochs", "fma_peak", "set_piece_bytes", "forward_layers", "gradient",
           "gradient_step", "infer", "product", "product_of_transpose", "training_layout"]

#: The builds beyond the baseline, fastest first: (FASTINIT_ISA name, module,
#: the generic build's test of whether this CPU runs it).
_BUILDS = (("avx512", "_kernels_avx512", _kernels_generic.cpu_has_avx512),
           ("avx2", "_kernels_avx2", _kernels_generic.cpu_has_avx2_fma))


#: Builds only a test asks for by name: (FASTINIT_ISA name, module, CPU test).
_TEST_BUILDS = (
    ("avx512_layout", "_kernels_avx512_layout", _kernels_generic.cpu_has_avx2_fma),)


def _choose():
    forced = os.environ.get("FASTINIT_ISA", "").strip().lower()
    names = ("generic", *(name for name, _, _ in _BUILDS + _TEST_BUILDS))
    if forced not in ("", *names):
        raise ImportError(f"FASTINIT_ISA must be one of {', '.join(map(repr, names))}, "
                          f"got {forced!r}")
    if forced == "generic":
        return _kernels_generic
    for name, module, cpu_runs in _BUILDS + (_TEST_BUILDS if forced else ()):
        if forced not in ("", name):
            continue
        if not cpu_runs():
            if forced:
                raise ImportError(f"FASTINIT_ISA={name}, but this CPU cannot run that build")
            continue
        try:
            return importlib.import_module(f".{module}", __package__)
        except ImportError as error:
            if forced:
                raise ImportError(f"FASTINIT_ISA={name}, but this installation has no "
                                  f"{module} build") from error
    return _kernels_generic


_impl = _choose()

INSTRUCTION_SET = _impl.instruction_set()
MULTIPLY_ADD = _impl.multiply_add()
descend = _impl.descend
gradient = _impl.gradient
forward_layers = _impl.forward_layers
backward_layers = _impl.backward_layers
infer = _impl.infer
gradient_step = _impl.gradient_step
product = _impl.product
product_of_transpose = _impl.product_of_transpose
training_layout = _impl.training_layout
epochs = _impl.epochs
epoch_layout = _impl.epoch_layout
fma_peak = _impl.fma_peak
set_piece_bytes = _impl.set_piece_bytes

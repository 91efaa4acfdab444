"""The compiled core for this CPU.

The same kernels are compiled twice (``_kernels_impl.pxi``): for the baseline
instruction set of the platform (``_kernels_generic``) and, on x86-64, for AVX2
with FMA (``_kernels_avx2``). At import this module asks the CPU what it has and
re-exports the fastest build it can run, so one wheel runs on any x86-64 CPU.
Set ``FASTINIT_ISA=generic`` (or ``avx2``) in the environment to force a build.
"""

import os

from . import _kernels_generic

__all__ = ["INSTRUCTION_SET", "backward_layers", "descend", "epoch_layout", "epochs",
           "request_stop",
           "forward_layers", "gradient", "gradient_step", "infer", "training_layout"]


def _choose():
    forced = os.environ.get("FASTINIT_ISA", "").strip().lower()
    if forced not in ("", "generic", "avx2"):
        raise ImportError(f"FASTINIT_ISA must be 'generic' or 'avx2', got {forced!r}")
    if forced == "generic":
        return _kernels_generic
    if _kernels_generic.cpu_has_avx2_fma():
        try:
            from . import _kernels_avx2
        except ImportError:
            if forced == "avx2":
                raise
        else:
            return _kernels_avx2
    if forced == "avx2":
        raise ImportError("FASTINIT_ISA=avx2, but this CPU lacks AVX2 or FMA")
    return _kernels_generic


_impl = _choose()

INSTRUCTION_SET = _impl.instruction_set()
descend = _impl.descend
gradient = _impl.gradient
forward_layers = _impl.forward_layers
backward_layers = _impl.backward_layers
infer = _impl.infer
gradient_step = _impl.gradient_step
training_layout = _impl.training_layout
epochs = _impl.epochs
epoch_layout = _impl.epoch_layout
request_stop = _impl.request_stop

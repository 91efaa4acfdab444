"""What this installation of fastinit runs on."""

import platform
import sys

import numpy as np

from . import DISTRIBUTION, __version__, _kernels
from .threads import available_cores

__all__ = ["show_config"]


def show_config(file=sys.stdout):
    """Describe the compiled core in use: which instruction-set build was chosen
    for this CPU, whether threads are available, and on how many cores.

    Parameters
    ----------
    file : file-like or None, default sys.stdout
        Where to print the description; None prints nothing.

    Returns
    -------
    dict
        ``distribution`` (the name pip installs), ``version``, ``instruction_set`` (the build in use), ``multiply_add`` (how
        it multiplies and adds: ``"instructions"``, ``"fma()"`` or ``"unfused"``),
        ``same_bits_as_other_cpus`` (False only for ``"unfused"``: a CPU without
        FMA, whose results differ in the last bits), ``cpu_has_avx2_fma``,
        ``cpu_has_avx512``, ``openmp``, ``threads`` (what training can use), ``cores``, ``machine``,
        ``python`` and ``numpy``.
    """
    from . import _kernels_generic

    info = {
        "distribution": DISTRIBUTION,
        "version": __version__,
        "instruction_set": _kernels.INSTRUCTION_SET,
        "multiply_add": _kernels.MULTIPLY_ADD,
        "same_bits_as_other_cpus": _kernels.MULTIPLY_ADD != "unfused",
        "cpu_has_avx2_fma": _kernels_generic.cpu_has_avx2_fma(),
        "cpu_has_avx512": _kernels_generic.cpu_has_avx512(),
        "openmp": _kernels._impl.has_openmp(),
        "threads": "OpenMP, up to the cores" if _kernels._impl.has_openmp() else
                   "one (built without OpenMP)",
        "cores": available_cores(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    if file is not None:
        width = max(len(key) for key in info)
        for key, value in info.items():
            print(f"{key:<{width}}  {value}", file=file)
    return info

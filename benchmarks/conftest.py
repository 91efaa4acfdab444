"""The benchmarks' shared state: the FMA peak of the compiled core, measured
once per session, and a closing summary of every workload group: fastinit's
time against the reference's and JAX's from the same session, and its share of
that peak (issue 16)."""

import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402
from summary import WORKLOAD_RATES, WORKLOAD_TIMES  # noqa: E402

def pytest_report_header(config):
    """The build the benchmarks ran, so that figures from different machines can be
    read side by side: fastinit.show_config(), one line per item."""
    import io

    import fastinit

    text = io.StringIO()
    fastinit.show_config(file=text)
    return ["fastinit.show_config():", *("  " + line for line in text.getvalue().splitlines())]


@pytest.fixture(scope="session")
def fma_peak():
    """The compiled core's float64 peak in GFLOP/s by thread count: the median
    of 3 measurements, taken when first asked for."""
    from fastinit import _kernels

    measured = {}

    def peak(n_threads):
        if n_threads not in measured:
            measured[n_threads] = statistics.median(_kernels.fma_peak(n_threads)
                                                    for _ in range(3))
        return measured[n_threads]

    return peak


def pytest_terminal_summary(terminalreporter):
    groups = [group for group, times in WORKLOAD_TIMES.items() if "fastinit" in times]
    if not groups:
        return
    write = terminalreporter.write_line
    write("")
    write("workload groups: each side's median time over fastinit's; fastinit's share of the "
          "FMA peak measured in this session")
    for group in groups:
        times = WORKLOAD_TIMES[group]
        ours = times["fastinit"]
        peers = ", ".join(f"{side} {seconds / ours:.2f}x" for side, seconds in times.items()
                          if side != "fastinit")
        rate, share = WORKLOAD_RATES.get(group, (float("nan"), float("nan")))
        of_peak = "row space: no share of the peak" if math.isnan(share) else f"{share:.0%} of peak"
        write(f"  {group:<18} fastinit {ours * 1e6:10.1f} us/it, {rate:6.1f} GFLOP/s "
              f"({of_peak})" + (f"; {peers}" if peers else ""))

"""What the workload benchmarks of one pytest session measured, for the
closing summary that conftest.py prints (issue 16)."""

#: group -> {"fastinit" | "reference" | "jax" | ...: seconds per iteration (median)}
WORKLOAD_TIMES = {}
#: group -> (GFLOP/s of fastinit, share of the peak)
WORKLOAD_RATES = {}


def record_workload_time(benchmark, side, iterations):
    """Note the median seconds per iteration of one side of a workload group."""
    if benchmark.stats is not None:
        WORKLOAD_TIMES.setdefault(benchmark.group, {})[side] = \
            benchmark.stats.stats.median / iterations

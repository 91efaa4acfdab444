"""Issue 27's deep, narrow mini-batch workload: fastinit on one thread against
JAX's compiled loop on one core, in interleaved rounds; prints each side's median
milliseconds per network (one whole training run) and JAX's over fastinit's.

    taskset -c 0 env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false \
        intra_op_parallelism_threads=1" python benchmarks/deep_narrow.py [rounds]
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jax_peer import jax_mini_batch_loop  # noqa: E402
from workloads import DEEP_NARROW, deep_narrow_digits  # noqa: E402

import fastinit as fi  # noqa: E402


def seconds(run):
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main(rounds=15):
    X, Y, parameters = deep_narrow_digits()
    fastinit = lambda: fi.train(X, Y, parameters, **DEEP_NARROW)
    jax = jax_mini_batch_loop(X, Y, parameters, DEEP_NARROW["mini_batch_size"],
                              DEEP_NARROW["num_epochs"], DEEP_NARROW["learning_rate"],
                              DEEP_NARROW["activation"])
    sides = {"fastinit": fastinit} if jax is None else {"fastinit": fastinit, "jax": jax}
    fastinit()
    times = {side: [] for side in sides}
    for _ in range(rounds):
        for side, run in sides.items():
            times[side].append(seconds(run))
    medians = {side: statistics.median(t) * 1e3 for side, t in times.items()}
    print(f"instruction set: {fi.show_config(file=None)['instruction_set']}; {rounds} rounds")
    for side, ms in medians.items():
        print(f"{side:9s} {ms:8.1f} ms per network (median)")
    if "jax" in medians:
        print(f"jax / fastinit: {medians['jax'] / medians['fastinit']:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))

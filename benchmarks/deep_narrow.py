"""Issue 27's deep, narrow mini-batch workload against JAX, in interleaved
rounds; prints each side's median milliseconds per network and JAX's over
fastinit's.

One network, each side on one core::

    taskset -c 0 env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false \\
        intra_op_parallelism_threads=1" python benchmarks/deep_narrow.py [rounds]

A grid of four networks (sigma_w2 = 1, 2, 3, 4) on every core this process may
use: fastinit's thread pool (one network per thread, as fi.sweep and
fi.phase_diagram run them) against JAX's ``jit(vmap(...))`` over the four::

    python benchmarks/deep_narrow.py --grid [rounds]
"""

import concurrent.futures
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jax_peer import jax_mini_batch_loop, jax_mini_batch_vmap  # noqa: E402
from workloads import DEEP_NARROW, deep_narrow_digits, deep_narrow_grid  # noqa: E402

import fastinit as fi  # noqa: E402


def seconds(run):
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def sides_of_one_network():
    X, Y, parameters = deep_narrow_digits()
    jax = jax_mini_batch_loop(X, Y, parameters, DEEP_NARROW["mini_batch_size"],
                              DEEP_NARROW["num_epochs"], DEEP_NARROW["learning_rate"],
                              DEEP_NARROW["activation"])
    return {"fastinit": lambda: fi.train(X, Y, parameters, **DEEP_NARROW), "jax": jax}, 1


def sides_of_a_grid():
    X, Y, _ = deep_narrow_digits()
    grid = deep_narrow_grid()
    cores = len(os.sched_getaffinity(0))
    pool = concurrent.futures.ThreadPoolExecutor(cores)

    def fastinit():
        list(pool.map(lambda parameters: fi.train(X, Y, parameters, **DEEP_NARROW), grid))

    jax = jax_mini_batch_vmap(X, Y, grid, DEEP_NARROW["mini_batch_size"],
                              DEEP_NARROW["num_epochs"], DEEP_NARROW["learning_rate"],
                              DEEP_NARROW["activation"])
    print(f"a grid of {len(grid)} networks on {cores} cores")
    return {"fastinit": fastinit, "jax": jax}, len(grid)


def main(arguments):
    grid = "--grid" in arguments
    rounds = int(next((a for a in arguments if a.isdigit()), 15))
    sides, networks = sides_of_a_grid() if grid else sides_of_one_network()
    if sides["jax"] is None:
        del sides["jax"]
    sides["fastinit"]()
    times = {side: [] for side in sides}
    for _ in range(rounds):
        for side, run in sides.items():
            times[side].append(seconds(run))
    medians = {side: statistics.median(t) * 1e3 / networks for side, t in times.items()}
    print(f"instruction set: {fi.show_config(file=None)['instruction_set']}; {rounds} rounds")
    for side, ms in medians.items():
        print(f"{side:9s} {ms:8.1f} ms per network (median)")
    if "jax" in medians:
        print(f"jax / fastinit: {medians['jax'] / medians['fastinit']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])

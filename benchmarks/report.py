"""Print the benchmark table: fastinit against the plain-NumPy reference.

    python benchmarks/report.py [--repeats 5] [--quick] [--threads 1,2,4,8,16]
    python benchmarks/report.py --embedding      # only issue 10's embedding table
    python benchmarks/report.py --activations    # only issue 11's activation table
    python benchmarks/report.py --sweep          # only issue 13's sweep table
    python benchmarks/report.py --load           # only issue 15's threads-under-load table
    python benchmarks/report.py --workloads      # only the workload table (issue 16)

For every workload of workloads.py, fastinit, the reference (the course's
code as the notebook runs it: cost every iteration, new arrays at every
update, np.dot through NumPy's BLAS) and, when installed, JAX with the whole
loop compiled (jax_peer.py) are timed alternately in this process; the table
shows medians per iteration, the ratios against fastinit, the work per
iteration, fastinit's achieved GFLOP/s and its share of the compiled core's
FMA peak, measured in the same run with as many threads as the workload uses.
Then the float32 speed-ups, the thread scaling on "many", and the peak memory
of one iteration on "many".
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference as ref  # noqa: E402
import seeds  # noqa: E402
from embedding import CALLS  # noqa: E402
from jax_peer import jax_loop  # noqa: E402
from workloads import JAX_TARGETS, MINI_BATCH_ADAM, TARGETS, WORKLOADS, course_moons  # noqa: E402

import fastinit as fi  # noqa: E402
from fastinit import _kernels  # noqa: E402


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def settle():
    """Let NumPy's BLAS threads, which spin for a while after the reference's
    np.dot calls, go idle before fastinit's threads need the cores."""
    time.sleep(0.3)


def time_calls(call, rounds):
    """Seconds per call of fastinit and of the NumPy it replaces, each the median
    over ``rounds`` alternating rounds of ``call.repeat`` calls, and the median
    of the rounds' ratios (robust to the machine's speed drifting)."""
    ours, theirs = call.pair()
    ours(), theirs()
    fast, slow = [], []
    for _ in range(rounds):
        for function, times in ((ours, fast), (theirs, slow)):
            if call.threaded and function is ours:
                settle()
                function()  # wakes fastinit's threads; not timed
            start = time.perf_counter()
            for _ in range(call.repeat):
                function()
            times.append((time.perf_counter() - start) / call.repeat)
    ratio = statistics.median(slow_time / fast_time for fast_time, slow_time in zip(fast, slow))
    return statistics.median(fast), statistics.median(slow), ratio


def embedding_table(rounds):
    """Issue 10's rows: each call from a user's loop against its NumPy."""
    header = (f"{'call (2-10-5-1 network)':<30} {'fastinit':>11} {'NumPy':>11} {'ratio':>7} "
              f"{'target':>7}")
    print(header)
    print("-" * len(header))
    for call in CALLS:
        ours, theirs, ratio = time_calls(call, rounds)
        mark = "  met" if ratio >= call.target else "  NOT met"
        print(f"{call.label:<30} {ours * 1e6:>8.1f} us {theirs * 1e6:>8.1f} us {ratio:>6.2f}x "
              f"{call.target:>6g}x{mark}")


#: Issue 11's target: an iteration on "many" with tanh costs at most this many ReLU ones.
ACTIVATION_TARGET = 1.5


def activation_table(rounds):
    """Issue 11's rows: an iteration on "many" with each hidden activation,
    against the same with ReLU, timed in alternating rounds (median of the
    rounds' ratios)."""
    header = (f"{'many, activation':<22} {'dtype':<8} {'per iteration':>13} {'vs relu':>8} "
              f"{'target':>7}")
    print(header)
    print("-" * len(header))
    for workload in WORKLOADS:
        if workload.name != "many":
            continue
        X, Y, parameters = workload.data()
        times = {name: [] for name in fi.ACTIVATIONS}
        for _ in range(rounds):
            for name in fi.ACTIVATIONS:
                settle()
                times[name].append(median_seconds(
                    lambda: fi.train(X, Y, parameters, num_iterations=workload.iterations,
                                     record_every=1000, activation=name), 1)
                    / workload.iterations)
        for name in fi.ACTIVATIONS:
            ratio = statistics.median(t / r for t, r in zip(times[name], times["relu"]))
            target = f"{ACTIVATION_TARGET:>6g}x" if name == "tanh" else ""
            mark = ("  met" if ratio <= ACTIVATION_TARGET else "  NOT met") if target else ""
            print(f"{name:<22} {workload.dtype:<8} {statistics.median(times[name]) * 1e3:>10.3f}"
                  f" ms {ratio:>7.2f}x {target:>7}{mark}")


#: Issue 23's target (issue 15's was 1.5): with every core busy, the default threads
#: cost at most this many times one thread's time.
LOAD_TARGET = 1.2


def load_table(rounds):
    """Issue 15's and 23's rows: an iteration of "many" and "deep" with the default
    threads against one thread, on the idle machine and with a busy-looping process
    on every core."""
    import subprocess

    print(f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT')}")
    header = f"{'float64':<28} {'1 thread':>10} {'default':>10} {'ratio':>7} {'target':>7}"
    print(header)
    print("-" * len(header))
    for name in ("many", "deep"):
        workload = next(w for w in WORKLOADS if w.name == name and w.dtype == "float64")
        X, Y, parameters = workload.data()
        iterations = workload.iterations // 4
        for label, busy in (("idle", 0), ("every core busy", fi.threads.available_cores())):
            hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                    for _ in range(busy)]
            try:
                time.sleep(0.5 if busy else 0)
                one, default = [], []
                for _ in range(rounds):
                    for n_threads, times in ((1, one), (None, default)):
                        times.append(median_seconds(lambda: fi.train(
                            X, Y, parameters, num_iterations=iterations, record_every=1000,
                            n_threads=n_threads), 1) / iterations)
            finally:
                for hog in hogs:
                    hog.kill()
            ratio = statistics.median(d / o for o, d in zip(one, default))
            target = f"{LOAD_TARGET:>6g}x" if busy else ""
            mark = ("  met" if ratio <= LOAD_TARGET else "  NOT met") if busy else ""
            print(f"{name + ', ' + label:<28} {statistics.median(one) * 1e3:>7.2f} ms "
                  f"{statistics.median(default) * 1e3:>7.2f} ms {ratio:>6.2f}x {target:>7}{mark}")


#: Issue 13's targets: a sweep of 32 runs against the serial loop, and per network
#: against JAX's jit(vmap(fori_loop)) over 64 seeds.
SWEEP_TARGET, JAX_TARGET = 1.6, 5.0


def sweep_table(rounds):
    """Issue 13's rows, each the median of ``rounds`` alternating rounds."""
    header = f"{'sweep (2-10-10-1, circles)':<44} {'time':>10} {'ratio':>7} {'target':>7}"
    print(header)
    print("-" * len(header))
    pairs = [("32 runs x 5000 it: serial loop / sweep", range(32), 5000,
              seeds.serial_loop, seeds.fastinit_sweep, SWEEP_TARGET)]
    jax_run = seeds.jax_vmap(range(64), 3000)
    if jax_run is not None:
        jax_run()  # compiles
        pairs.append(("64 seeds x 3000 it: JAX vmap / sweep", range(64), 3000,
                      lambda *_: jax_run(), seeds.fastinit_sweep, JAX_TARGET))
    for label, grid, iterations, slow, fast, target in pairs:
        slow_times, fast_times = [], []
        for _ in range(rounds):
            slow_times.append(median_seconds(lambda: slow(grid, iterations), 1))
            settle()
            fast_times.append(median_seconds(lambda: fast(grid, iterations), 1))
        ratio = statistics.median(s / f for s, f in zip(slow_times, fast_times))
        per_network = statistics.median(fast_times) / len(grid)
        mark = "  met" if ratio >= target else "  NOT met"
        print(f"{label:<44} {per_network * 1e3:>7.1f} ms {ratio:>6.2f}x {target:>6g}x{mark}")
    if jax_run is None:
        print("(JAX is not installed: no JAX row)")
    print("(time: the sweep's wall time per network)")


def time_workload(workload, repeats, iterations):
    """Median seconds per iteration of fastinit, the reference and JAX's compiled
    loop (left out when JAX is absent), keyed "fastinit", "reference" and "jax",
    timed in alternating rounds; and each side's time over fastinit's, the
    median of the rounds' ratios (robust to the machine's speed drifting)."""
    X, Y, parameters = workload.data()
    sides = {
        "fastinit": lambda: fi.train(X, Y, parameters, num_iterations=iterations,
                                     record_every=1000),
        "reference": lambda: ref.train(X, Y, parameters, num_iterations=iterations,
                                       record_every=1000, cost="course"),
    }
    jax_run = jax_loop(X, Y, parameters, iterations)
    if jax_run is not None:
        sides["jax"] = jax_run
    sides["fastinit"]()
    times = {name: [] for name in sides}
    for _ in range(repeats):
        for name, function in sides.items():
            settle()
            times[name].append(median_seconds(function, 1))
    medians = {name: statistics.median(values) / iterations for name, values in times.items()}
    ratios = {name: statistics.median(theirs / ours for ours, theirs
                                      in zip(times["fastinit"], values))
              for name, values in times.items()}
    return medians, ratios


def against(ratio, target):
    """The 'ratio target' columns (8 and 7 wide) of the workload table, and
    whether the target is met (None without a target)."""
    columns = f"{ratio:>7.2f}x {(f'{target:g}x' if target else '-'):>7}"
    return columns, None if target is None else ratio >= target


def fma_peaks(thread_counts):
    """The compiled core's float64 multiply-add peak in GFLOP/s for each thread
    count, each the median of 3 measurements taken now (so in this run)."""
    return {n: statistics.median(_kernels.fma_peak(n) for _ in range(3)) for n in thread_counts}


def peak_bytes(function):
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def workload_table(args):
    """Issue 4's and 16's table: every workload of workloads.py against the
    reference and JAX, and as a share of the FMA peak measured in this run;
    returns fastinit's seconds per iteration by (name, dtype)."""
    peaks = fma_peaks(sorted({workload.threads() for workload in WORKLOADS}))
    print("FMA peak of this build, measured now: "
          + ", ".join(f"{peak:.1f} GFLOP/s with {n} thread{'s' if n > 1 else ''}"
                      for n, peak in peaks.items()))
    header = (f"{'workload':<10} {'dtype':<8} {'threads':>7} {'fastinit':>12} {'reference':>12} "
              f"{'ratio':>8} {'target':>7} {'JAX':>12} {'vs JAX':>8} {'target':>7} "
              f"{'MFLOP/it':>9} {'GFLOP/s':>8} {'of peak':>8}")
    print(header)
    print("-" * len(header))
    per_iteration = {}
    row_space = []
    for workload in WORKLOADS:
        iterations = workload.iterations
        if args.quick and workload.name == "notebook":
            iterations = 1500
        threads = workload.threads()
        medians, ratios = time_workload(workload, args.repeats, iterations)
        ours, theirs, jax = medians["fastinit"], medians["reference"], medians.get("jax")
        if workload.row_spaced(iterations):
            row_space.append(f"{workload.name} {workload.dtype}")
        per_iteration[(workload.name, workload.dtype)] = ours
        key = (workload.name, workload.dtype)
        flops = workload.flops_per_iteration()
        share = workload.share_of_peak(ours, peaks[threads], iterations)
        numpy_columns, numpy_met = against(ratios["reference"], TARGETS.get(key))
        jax_columns, jax_met = against(ratios["jax"], JAX_TARGETS.get(key)) if jax else \
            (f"{'-':>8} {'-':>7}", None)
        marks = [f"{peer} target {'met' if met else 'NOT met'}"
                 for peer, met in (("NumPy", numpy_met), ("JAX", jax_met)) if met is not None]
        print(f"{workload.name:<10} {workload.dtype:<8} {threads:>7} {ours * 1e6:>9.1f} us "
              f"{theirs * 1e6:>9.1f} us {numpy_columns} "
              + (f"{jax * 1e6:>9.1f} us " if jax else f"{'-':>12} ")
              + f"{jax_columns} {flops / 1e6:>9.2f} {flops / ours / 1e9:>8.1f} "
              + (f"{'-':>8}" if math.isnan(share) else f"{share:>8.0%}")
              + (f"  ({', '.join(marks)})" if marks else ""))
    if "jax" not in sys.modules:
        print("(JAX is not installed: no JAX columns)")

    if row_space:
        print(f"({', '.join(row_space)}: trained in row-space form, see fastinit.row_space; "
              f"GFLOP/s counts the plain algorithm's work, so no share of the peak)")
    print("(of peak: against the float64 peak above, twice it for float32)")
    return per_iteration


def thread_counts(text):
    """Parse "1,2,4" into [1, 2, 4] for --threads."""
    try:
        counts = sorted({int(part) for part in text.split(",")})
    except ValueError:
        counts = []
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, "
                                         f"got {text!r}")
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per side (median)")
    parser.add_argument("--quick", action="store_true",
                        help="1500 notebook iterations instead of 15000")
    parser.add_argument("--embedding", action="store_true",
                        help="only the embedding table (issue 10's calls)")
    parser.add_argument("--activations", action="store_true",
                        help="only the activation table (issue 11: tanh against relu on many)")
    parser.add_argument("--sweep", action="store_true",
                        help="only the sweep table (issue 13: against a serial loop and JAX)")
    parser.add_argument("--load", action="store_true",
                        help="only the threads-under-load table (issue 15)")
    parser.add_argument("--workloads", action="store_true",
                        help="only the workload table (issue 16: against NumPy, JAX and the "
                             "FMA peak)")
    parser.add_argument("--threads", type=thread_counts, default=None,
                        help="thread counts for the scaling on many, comma-separated "
                             "(default: 1, 2 and all cores)")
    args = parser.parse_args()

    print(f"machine: {cpu_model()}")
    config = fi.show_config()
    print()
    if args.activations:
        activation_table(args.repeats)
        return
    if args.sweep:
        sweep_table(args.repeats)
        return
    if args.load:
        load_table(args.repeats)
        return
    if not args.workloads:
        embedding_table(max(args.repeats, 5) * 4)
        if args.embedding:
            return
        print()
        activation_table(args.repeats)
        print()
        sweep_table(args.repeats)
        print()
        load_table(args.repeats)
        print()
    per_iteration = workload_table(args)
    if args.workloads:
        return
    print()
    for name in ("wide", "many"):
        speedup = per_iteration[(name, "float64")] / per_iteration[(name, "float32")]
        print(f"float32 vs float64 on {name}: {speedup:.2f}x (target 1.6x)")

    many = next(w for w in WORKLOADS if w.name == "many" and w.dtype == "float64")
    cores = config["cores"]
    X, Y, parameters = many.data()
    timed = lambda n: median_seconds(
        lambda: fi.train(X, Y, parameters, num_iterations=many.iterations, n_threads=n),
        args.repeats) / many.iterations
    counts = args.threads or sorted({1, min(2, cores), cores})
    settle()
    one = timed(1)
    single = fi.train(X, Y, parameters, num_iterations=many.iterations, n_threads=1)
    print(f"threads on many: 1 thread {one * 1e3:.2f} ms/iteration")
    for n in counts:
        if n > 1:
            t = timed(n)
            same = fi.train(X, Y, parameters, num_iterations=many.iterations, n_threads=n) == single
            print(f"  {n:>2} threads {t * 1e3:.3f} ms ({one / t:.2f}x, "
                  f"{'bit-identical to 1 thread' if same else 'DIFFERS from 1 thread'})")

    fastinit_peak = peak_bytes(lambda: fi.train(X, Y, parameters, num_iterations=2))
    reference_peak = peak_bytes(lambda: ref.train(X, Y, parameters, num_iterations=2,
                                                  cost="course"))
    print(f"peak memory on many (tracemalloc): fastinit {fastinit_peak / 1e6:.1f} MB, "
          f"reference {reference_peak / 1e6:.1f} MB")
    X, Y, parameters = course_moons()
    settle()
    ours = median_seconds(lambda: fi.train(X, Y, parameters, **MINI_BATCH_ADAM), 3)
    theirs = median_seconds(lambda: ref.train_mini_batches(X, Y, parameters, **MINI_BATCH_ADAM),
                            3)
    print(f"mini-batch Adam (the course's run, 10000 epochs): fastinit {ours:.3f} s, "
          f"reference {theirs:.2f} s, {theirs / ours:.1f}x (target 30x)")
    if os.environ.get("OPENBLAS_CORETYPE"):
        print("note: OPENBLAS_CORETYPE is set, which slows NumPy's BLAS (the reference)")


if __name__ == "__main__":
    main()

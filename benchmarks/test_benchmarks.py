"""pytest-benchmark suite: one group per workload, fastinit against the plain
NumPy reference (and PyTorch or JAX when installed) in the same run; and one
group per embedding call (embedding.py), fastinit against the NumPy it replaces.

    pytest benchmarks/ --benchmark-only

The per-iteration time of each side is the benchmark's time divided by the
workload's iteration count. The session ends with a summary of every workload
group (conftest.py): each peer's time over fastinit's, and fastinit's GFLOP/s
as a share of the FMA peak measured in the same session; ``python
benchmarks/report.py`` prints the same ratios from alternating rounds.
"""

import numpy as np
import pytest
import reference as ref
import seeds
from jax_peer import jax_loop, jax_mini_batch_loop
from summary import WORKLOAD_RATES, WORKLOAD_TIMES, record_workload_time
from embedding import CALLS
from workloads import (DEEP_NARROW, MINI_BATCH_ADAM, WORKLOADS, course_moons,
                       deep_narrow_digits)

import fastinit as fi

IDS = [f"{w.name}-{w.dtype}" for w in WORKLOADS]


@pytest.fixture(params=WORKLOADS, ids=IDS)
def workload(request):
    return request.param


def test_fastinit(benchmark, workload, fma_peak):
    """fastinit, with its GFLOP/s and share of the FMA peak (measured in this
    session with the workload's threads; twice the float64 peak for float32) in
    the benchmark's extra_info and the closing summary. Row-space workloads do
    less than the counted work, so their share is not a share of anything."""
    X, Y, parameters = workload.data()
    benchmark.group = f"{workload.name}-{workload.dtype}"
    benchmark.extra_info["iterations"] = workload.iterations
    result = benchmark.pedantic(
        fi.train, args=(X, Y, parameters),
        kwargs=dict(num_iterations=workload.iterations, record_every=1000),
        rounds=3, iterations=1, warmup_rounds=1)
    assert np.isfinite(result.final_cost)
    record_workload_time(benchmark, "fastinit", workload.iterations)
    if benchmark.stats is not None:
        seconds = WORKLOAD_TIMES[benchmark.group]["fastinit"]
        rate = workload.flops_per_iteration() / seconds / 1e9
        share = workload.share_of_peak(seconds, fma_peak(workload.threads()),
                                       workload.iterations)
        benchmark.extra_info.update(gflops=rate, share_of_fma_peak=share)
        WORKLOAD_RATES[benchmark.group] = (rate, share)


def test_reference(benchmark, workload):
    X, Y, parameters = workload.data()
    benchmark.group = f"{workload.name}-{workload.dtype}"
    benchmark.extra_info["iterations"] = workload.iterations
    trained, costs = benchmark.pedantic(
        ref.train, args=(X, Y, parameters),
        kwargs=dict(num_iterations=workload.iterations, record_every=1000, cost="course"),
        rounds=3, iterations=1)
    assert len(costs) == (workload.iterations + 999) // 1000
    record_workload_time(benchmark, "reference", workload.iterations)


def test_pytorch(benchmark, workload):
    torch = pytest.importorskip("torch")
    X, Y, parameters = workload.data()
    benchmark.group = f"{workload.name}-{workload.dtype}"
    benchmark.extra_info["iterations"] = workload.iterations
    dtype = torch.float32 if workload.dtype == "float32" else torch.float64
    tensors = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in parameters.items()}
    X_t, Y_t = torch.tensor(X, dtype=dtype), torch.tensor(Y, dtype=dtype)
    L = len(parameters) // 2

    def run():
        params = {k: v.detach().clone().requires_grad_() for k, v in tensors.items()}
        for _ in range(workload.iterations):
            A = X_t
            for l in range(1, L + 1):
                Z = params[f"W{l}"] @ A + params[f"b{l}"]
                A = torch.relu(Z) if l < L else Z
            loss = torch.nn.functional.binary_cross_entropy_with_logits(A, Y_t, reduction="sum")
            loss = loss / X_t.shape[1]
            grads = torch.autograd.grad(loss, list(params.values()))
            with torch.no_grad():
                for p, g in zip(params.values(), grads):
                    p -= 0.01 * g
        return params

    benchmark.pedantic(run, rounds=3, iterations=1)
    record_workload_time(benchmark, "pytorch", workload.iterations)


def test_jax(benchmark, workload):
    """JAX on the CPU with the whole loop compiled (``jit`` of a ``fori_loop``),
    the fastest peer the issue names; compiled once before timing."""
    pytest.importorskip("jax")
    X, Y, parameters = workload.data()
    benchmark.group = f"{workload.name}-{workload.dtype}"
    benchmark.extra_info["iterations"] = workload.iterations
    run = jax_loop(X, Y, parameters, workload.iterations)
    benchmark.pedantic(run, rounds=3, iterations=1)
    record_workload_time(benchmark, "jax", workload.iterations)


def test_fastinit_mini_batch_adam(benchmark):
    X, Y, parameters = course_moons()
    benchmark.group = "mini-batch-adam"
    result = benchmark.pedantic(fi.train, args=(X, Y, parameters), kwargs=MINI_BATCH_ADAM,
                                rounds=3, iterations=1, warmup_rounds=1)
    assert f"{result.costs[-1]:f}" == "0.129118"


def test_reference_mini_batch_adam(benchmark):
    X, Y, parameters = course_moons()
    benchmark.group = "mini-batch-adam"
    _, costs = benchmark.pedantic(ref.train_mini_batches, args=(X, Y, parameters),
                                  kwargs=MINI_BATCH_ADAM, rounds=3, iterations=1)
    assert f"{costs[-1]:f}" == "0.129118"


def test_fastinit_deep_narrow(benchmark):
    """Issue 27: 18 epochs of mini-batch gradient descent on a tanh network of 50
    layers of 48 units (digits, batches of 64), on one thread (target: at least
    2x JAX on one core; benchmarks/deep_narrow.py pins both to one core)."""
    X, Y, parameters = deep_narrow_digits()
    benchmark.group = "deep-narrow-mini-batch"
    result = benchmark.pedantic(fi.train, args=(X, Y, parameters), kwargs=DEEP_NARROW,
                                rounds=5, iterations=1, warmup_rounds=1)
    assert np.isfinite(result.final_cost)


def test_jax_deep_narrow(benchmark):
    """The same training in JAX: the whole loop compiled (``jit``), float64, on
    the CPU; compiled once before timing."""
    pytest.importorskip("jax")
    X, Y, parameters = deep_narrow_digits()
    benchmark.group = "deep-narrow-mini-batch"
    run = jax_mini_batch_loop(X, Y, parameters, DEEP_NARROW["mini_batch_size"],
                              DEEP_NARROW["num_epochs"], DEEP_NARROW["learning_rate"],
                              DEEP_NARROW["activation"])
    benchmark.pedantic(run, rounds=5, iterations=1)


@pytest.fixture(params=CALLS, ids=[call.label.replace(" ", "") for call in CALLS])
def call(request):
    return request.param


def test_embedding_fastinit(benchmark, call):
    """One call from a user's loop (issue 10): fastinit's side."""
    benchmark.group = f"embedding: {call.label}"
    ours, _ = call.pair()
    benchmark.pedantic(ours, rounds=max(20, call.repeat), iterations=1, warmup_rounds=2)


def test_embedding_numpy(benchmark, call):
    """The same call in the plain NumPy it replaces."""
    benchmark.group = f"embedding: {call.label}"
    _, theirs = call.pair()
    benchmark.pedantic(theirs, rounds=max(20, call.repeat), iterations=1, warmup_rounds=2)


MANY = [w for w in WORKLOADS if w.name == "many"]


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("workload", MANY, ids=[f"many-{w.dtype}" for w in MANY])
def test_fastinit_activation(benchmark, workload, activation):
    """Issue 11: an iteration on "many" with each hidden activation; compare
    within the group (target: tanh at most 1.5x relu)."""
    X, Y, parameters = workload.data()
    benchmark.group = f"activations: many-{workload.dtype}"
    benchmark.extra_info["iterations"] = workload.iterations
    result = benchmark.pedantic(
        fi.train, args=(X, Y, parameters),
        kwargs=dict(num_iterations=workload.iterations, record_every=1000,
                    activation=activation),
        rounds=3, iterations=1, warmup_rounds=1)
    assert np.isfinite(result.final_cost) and result.activation == activation


TRACKED = [w for w in WORKLOADS if w.name in ("notebook", "deep") and w.dtype == "float64"]


@pytest.mark.parametrize("track_layers", [False, True], ids=["plain", "tracked"])
@pytest.mark.parametrize("workload", TRACKED, ids=[w.name for w in TRACKED])
def test_fastinit_track_layers(benchmark, workload, track_layers):
    """Issue 12: train(track_layers=True) at record_every=1000 against plain
    training, in one group per workload (target: at most 10% more)."""
    X, Y, parameters = workload.data()
    benchmark.group = f"track-layers: {workload.name}"
    iterations = max(workload.iterations, 3000)
    result = benchmark.pedantic(
        fi.train, args=(X, Y, parameters),
        kwargs=dict(num_iterations=iterations, record_every=1000, track_layers=track_layers),
        rounds=5, iterations=1, warmup_rounds=1)
    assert (result.layer_history is not None) == track_layers


@pytest.mark.parametrize("way", ["serial", "sweep"])
def test_sweep_against_a_serial_loop(benchmark, way):
    """Issue 13: 32 notebook-size runs of 5000 iterations (target: the sweep at
    least 1.6x faster on 2 cores)."""
    benchmark.group = "sweep: 32 runs x 5000 iterations"
    run = seeds.serial_loop if way == "serial" else seeds.fastinit_sweep
    benchmark.pedantic(run, args=(range(32), 5000), rounds=3, iterations=1)


@pytest.mark.parametrize("way", ["fastinit-sweep", "jax-vmap"])
def test_seeds_against_jax_vmap(benchmark, way):
    """Issue 13: 64 seeds of one network, 3000 iterations (target: per network, at
    least 5x faster than JAX's jit(vmap(fori_loop)))."""
    benchmark.group = "seeds: 64 networks x 3000 iterations"
    if way == "jax-vmap":
        run = seeds.jax_vmap(range(64), 3000)
        if run is None:
            pytest.skip("JAX is not installed")
        run()  # compiles
        benchmark.pedantic(run, rounds=3, iterations=1)
    else:
        benchmark.pedantic(seeds.fastinit_sweep, args=(range(64), 3000), rounds=3, iterations=1)


@pytest.mark.parametrize("activation", ["tanh", "selu"])
def test_theory_depth_scales_sweep(benchmark, activation):
    """The theory's cost: depth scales at 50 sigma_w2 values (the curve of
    ``fastinit theory``'s depth-scale figure), in CPU-independent arithmetic."""
    from fastinit import theory

    sweep = np.linspace(0.5, 4.0, 50)
    result = benchmark(lambda: [theory.depth_scales(w, 0.05, activation=activation)
                                for w in sweep])
    assert len(result) == 50

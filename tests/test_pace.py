"""One thread or the team, chunk by chunk: ``_kernels.descend(..., check_every=c,
pace=arr)``.

``pace`` is ``[seconds per step on one thread, seconds per step on the team, chunks
until the other one is tried again, the current wait]``, zeros at the start of a
run and kept from call to call. Each chunk of ``check_every`` steps runs on whichever
has been faster lately; the other is tried again after 2 chunks, then after twice as
many while it stays slower (at most 1024), and after 2 again when the faster one
changes. Every choice gives the same bits.
"""

import numpy as np
import pytest
from conftest import runnable_builds

import fastinit as fi
from fastinit import _kernels, training
from fastinit.network import Layout

FIRST_TRY = 2
LONGEST_WAIT = 1024


# --- helpers ------------------------------------------------------------------------------

def problem(dims=(4, 64, 64, 1), m=3000, seed=0, dtype=np.float64):
    """A network and data for calling ``_kernels.descend`` directly.

    Parameters
    ----------
    dims : tuple of int
    m : int
        Examples.
    seed : int
    dtype : type

    Returns
    -------
    dict
        ``layout`` (:class:`fastinit.network.Layout`), ``theta`` (He-initialized,
        packed), ``X`` (dims[0], m) and ``Y`` (1, m), and ``parameters`` (the dict
        ``theta`` was packed from).
    """
    rng = np.random.default_rng(seed)
    layout = Layout.of(tuple(dims))
    parameters = fi.initialize(list(dims), "he", seed=seed, dtype=dtype)
    theta = layout.pack([(parameters[f"W{l}"], parameters[f"b{l}"].ravel())
                         for l in range(1, len(dims))], dtype)
    X = rng.standard_normal((dims[0], m)).astype(dtype)
    Y = (X[:1] * X[1:2] > 0).astype(dtype)  # a learnable XOR-like label
    return dict(layout=layout, theta=theta, X=X, Y=Y, parameters=parameters)


def descend(prob, n_threads, n_iterations, pace=None, check_every=1, learning_rate=0.05,
            module=None):
    """``n_iterations`` steps of ``descend`` from the problem's theta, on a copy.

    Parameters
    ----------
    prob : dict
        From :func:`problem`.
    n_threads : int
    n_iterations : int
    pace : ndarray or None
        Passed through (and so updated in place).
    check_every : int
    learning_rate : float
    module : module, optional
        The build to call (default ``fastinit._kernels``).

    Returns
    -------
    theta : ndarray
        The parameters after the steps.
    cost : float
        What ``descend`` returned (the cost before the first step).
    block_costs : ndarray
    """
    module = _kernels if module is None else module
    layout, X = prob["layout"], prob["X"]
    work_size, n_blocks = module.training_layout(layout.dims, X.shape[1], n_threads)
    theta = prob["theta"].copy()
    work = np.empty(work_size, dtype=X.dtype)
    block_costs = np.empty(n_blocks)
    cost = module.descend(layout.dims, layout.w_off, layout.b_off, theta, X, prob["Y"], work,
                          block_costs, learning_rate, n_iterations, n_threads,
                          check_every=check_every, pace=pace)
    return theta, cost, block_costs


def assert_same_run(actual, expected, message=""):
    """Assert two :func:`descend` results are the same bits.

    Parameters
    ----------
    actual, expected : tuple
        ``(theta, cost, block_costs)``.
    message : str
    """
    theta, cost, block_costs = actual
    assert theta.tobytes() == expected[0].tobytes(), message
    assert np.float64(cost).tobytes() == np.float64(expected[1]).tobytes(), message
    assert block_costs.tobytes() == expected[2].tobytes(), message


def team_for_chunk(pace, n_threads):
    """The documented choice of threads for the next chunk (``_team_for_chunk``), on
    a copy of ``pace``.

    Parameters
    ----------
    pace : ndarray, shape (4,)
    n_threads : int

    Returns
    -------
    team : int
        ``n_threads`` or 1.
    pace : ndarray
        ``pace`` with the first chunk's wait filled in.
    """
    pace = pace.copy()
    if n_threads == 1:
        return n_threads, pace
    if pace[3] == 0:
        pace[2] = pace[3] = FIRST_TRY
    team_faster = pace[0] == 0 or pace[1] <= pace[0]
    if pace[1] != 0 and pace[2] <= 0:
        team_faster = not team_faster
    return (n_threads if team_faster else 1), pace


def after_chunk(before, measured, team, n_threads):
    """The documented counting of one chunk (``_record_pace``): ``before`` (as
    :func:`team_for_chunk` left it) with the chunk's measured pace already in place
    (``measured``, read back from the kernel), the wait updated.

    Parameters
    ----------
    before : ndarray, shape (4,)
    measured : float
        The new value of ``pace[0]`` (one thread) or ``pace[1]`` (the team).
    team : int
    n_threads : int

    Returns
    -------
    ndarray
    """
    pace = before.copy()
    tried = pace[1] != 0 and pace[2] <= 0
    team_was_faster = pace[0] == 0 or pace[1] <= pace[0]
    pace[1 if team == n_threads else 0] = measured
    if not tried:
        pace[2] -= 1
        return pace
    if (pace[0] == 0 or pace[1] <= pace[0]) != team_was_faster:
        pace[3] = FIRST_TRY
    elif pace[3] < LONGEST_WAIT:
        pace[3] = 2 * pace[3]
    pace[2] = pace[3]
    return pace


# --- 1. the same bits whichever way a chunk runs ---------------------------------------

@pytest.fixture(scope="module")
def deep():
    """The problem of dims (4, 64, 64, 1) on 3000 examples (several blocks)."""
    return problem()


def test_the_problem_runs_in_several_chunks_and_blocks(deep):
    layout, m = deep["layout"], deep["X"].shape[1]
    assert training._check_every(layout.dims, m) < 40
    assert _kernels.training_layout(layout.dims, m, 2)[1] > 1


def test_training_on_two_threads_is_training_on_one(deep):
    parameters, X, Y = deep["parameters"], deep["X"], deep["Y"]
    options = dict(learning_rate=0.05, num_iterations=40, record_every=10)
    one = fi.train(X, Y, parameters, n_threads=1, **options)
    two = fi.train(X, Y, parameters, n_threads=2, **options)
    assert one.costs[-1] < one.costs[0]
    assert np.asarray(two.costs).tobytes() == np.asarray(one.costs).tobytes()
    assert two.final_cost == one.final_cost
    for key, value in one.parameters.items():
        assert two.parameters[key].tobytes() == value.tobytes(), key


@pytest.mark.parametrize("preset, label", [([1e-12, 1.0, 100, 100], "one thread"),
                                           ([1.0, 1e-12, 100, 100], "the team"),
                                           ([0, 0, 0, 0], "from zeros")])
def test_each_choice_gives_the_bits_of_no_pace(deep, preset, label):
    expected = descend(deep, 2, 12)
    assert_same_run(descend(deep, 1, 12), expected, "one thread, no pace")
    pace = np.array(preset, dtype=np.float64)
    assert_same_run(descend(deep, 2, 12, pace=pace), expected, label)
    assert not np.array_equal(pace, preset)  # the chunks were counted


def test_every_build_gives_the_same_bits_with_a_pace():
    prob = problem(dims=(4, 24, 1), m=700, seed=3)
    expected = descend(prob, 2, 6)
    builds = [module for _, module in runnable_builds()]
    assert _kernels._impl in builds
    for module in builds:
        for preset in ([1e-12, 1.0, 100, 100], [1.0, 1e-12, 100, 100]):
            assert_same_run(descend(prob, 2, 6, pace=np.array(preset), module=module),
                            expected, f"{module.__name__} {preset}")


# --- 2. the policy -------------------------------------------------------------------

def test_from_zeros_both_ways_are_measured():
    prob = problem(dims=(4, 16, 1), m=400, seed=1)
    pace = np.zeros(4)
    descend(prob, 2, 12, pace=pace, check_every=1)
    assert pace[0] > 0 and pace[1] > 0
    assert np.isfinite(pace).all()
    assert pace[3] >= FIRST_TRY and 0 <= pace[2] <= pace[3]


@pytest.mark.parametrize("faster, slower", [(0, 1), (1, 0)])
def test_the_way_that_looks_faster_keeps_the_other_off(faster, slower):
    """pace[0] is one thread's seconds per step, pace[1] the team's: whichever looks
    far faster runs every chunk until the next try, and the other is never timed."""
    prob = problem(dims=(4, 16, 1), m=400, seed=2)
    pace = np.array([1.0, 1.0, 100, 100])
    pace[faster] = 1e-12
    descend(prob, 2, 3, pace=pace, check_every=1)
    assert pace[slower] == 1.0
    assert pace[2] == 97 and pace[3] == 100
    assert pace[faster] != 1e-12 and pace[faster] > 0


def test_a_chunk_of_several_steps_counts_once():
    prob = problem(dims=(4, 16, 1), m=400, seed=2)
    pace = np.array([1e-12, 1.0, 100, 100])
    descend(prob, 2, 12, pace=pace, check_every=4)
    assert pace[2] == 97 and pace[1] == 1.0


@pytest.mark.parametrize("preset", [[0.0, 0.0, 0.0, 0.0], [0.5, 0.25, 3.0, 4.0],
                                    [1e-12, 1.0, 100, 100]])
def test_one_thread_leaves_pace_alone(preset):
    prob = problem(dims=(4, 16, 1), m=400, seed=4)
    pace = np.array(preset)
    expected = descend(prob, 1, 5)
    assert_same_run(descend(prob, 1, 5, pace=pace, check_every=1), expected)
    np.testing.assert_array_equal(pace, preset)


def test_every_chunk_follows_the_documented_policy():
    """One step per call, 24 calls from zeros: each call ran on the side the model
    chooses (its measurement changed, the other's did not), and the wait and the
    chunks left follow the model, whatever the timings were."""
    prob = problem(dims=(4, 16, 1), m=200, seed=5)
    pace = np.zeros(4)
    sides = []
    for _ in range(24):
        team, chosen = team_for_chunk(pace, 2)
        before = pace.copy()
        descend(prob, 2, 1, pace=pace, check_every=1)
        k = 1 if team == 2 else 0
        assert pace[1 - k] == before[1 - k], (sides, before, pace)
        assert pace[k] > 0
        np.testing.assert_array_equal(pace, after_chunk(chosen, pace[k], team, 2))
        sides.append(team)
    # The team first (nothing measured), one thread tried after FIRST_TRY chunks, and
    # the slower side tried again later.
    assert sides[:FIRST_TRY] == [2] * FIRST_TRY
    assert sides[FIRST_TRY] == 1
    assert sides.count(1) >= 2 and sides.count(2) >= 2


# --- 3. hostile paces ------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 3, 5, 8])
def test_a_pace_of_another_length_is_refused(size):
    prob = problem(dims=(4, 8, 1), m=64)
    pace = np.zeros(size)
    with pytest.raises(ValueError, match="pace"):
        descend(prob, 2, 3, pace=pace)


@pytest.mark.parametrize("pace", [np.zeros(4, dtype=np.float32), np.zeros(4, dtype=np.int64),
                                  np.zeros(8)[::2], [0.0, 0.0, 0.0, 0.0]],
                         ids=["float32", "int64", "strided", "list"])
def test_a_pace_of_another_kind_is_refused(pace):
    prob = problem(dims=(4, 8, 1), m=64)
    with pytest.raises((TypeError, ValueError)):
        descend(prob, 2, 3, pace=pace)


def test_a_read_only_pace_is_refused():
    prob = problem(dims=(4, 8, 1), m=64)
    pace = np.zeros(4)
    pace.flags.writeable = False
    with pytest.raises((TypeError, ValueError)):
        descend(prob, 2, 3, pace=pace)


@pytest.mark.parametrize("preset", [[np.nan] * 4, [0.0, np.nan, 0.0, 0.0],
                                    [np.nan, 0.0, np.nan, np.nan], [np.inf, np.inf, -5, -1]])
def test_a_garbled_pace_changes_nothing_but_the_threads(preset):
    prob = problem(dims=(4, 16, 1), m=400, seed=6)
    expected = descend(prob, 2, 10)
    assert_same_run(descend(prob, 2, 10, pace=np.array(preset), check_every=1), expected,
                    str(preset))

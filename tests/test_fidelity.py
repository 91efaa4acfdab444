"""The course notebook's printed numbers, reproduced."""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    NOTEBOOK_HE_COSTS,
    NOTEBOOK_RANDOM_COSTS,
    NOTEBOOK_ZEROS_COST,
    random_cost_tolerance,
)

import fastinit as fi

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def trained(circles):
    """Each of the notebook's three runs: method -> (TrainResult, train acc, test acc)."""
    X, Y, X_test, Y_test = circles
    runs = {}
    for method in ("zeros", "random", "he"):
        parameters = fi.initialize([2, 10, 5, 1], method, seed=3)
        result = fi.train(X, Y, parameters, learning_rate=0.01, num_iterations=15000)
        runs[method] = (
            result,
            fi.accuracy(X, Y, result.parameters),
            fi.accuracy(X_test, Y_test, result.parameters),
        )
    return runs


def test_initializers_print_the_notebooks_values():
    random = fi.initialize([3, 2, 1], "random", seed=3)
    np.testing.assert_allclose(
        random["W1"],
        [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
        atol=5e-9,
    )
    np.testing.assert_allclose(random["W2"], [[-0.82741481, -6.27000677]], atol=5e-9)
    he = fi.initialize([2, 4, 1], "he", seed=3)
    np.testing.assert_allclose(
        he["W1"],
        [[1.78862847, 0.43650985], [0.09649747, -1.8634927], [-0.2773882, -0.35475898],
         [-0.08274148, -0.62700068]],
        atol=5e-9,
    )
    np.testing.assert_allclose(he["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
                               atol=5e-9)
    zeros = fi.initialize([3, 2, 1], "zeros")
    for key, shape in {"W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}.items():
        np.testing.assert_array_equal(zeros[key], np.zeros(shape))
    for parameters in (random, he):
        assert not parameters["b1"].any() and not parameters["b2"].any()


def test_he_cost_trace_and_accuracy(trained):
    result, train_accuracy, test_accuracy = trained["he"]
    assert result.iterations == list(range(0, 15000, 1000))
    np.testing.assert_allclose(result.costs, NOTEBOOK_HE_COSTS, rtol=1e-9, atol=0)
    assert train_accuracy == pytest.approx(298 / 300)
    assert test_accuracy == pytest.approx(0.96)


def test_zeros_cost_trace_and_accuracy(trained):
    result, train_accuracy, test_accuracy = trained["zeros"]
    np.testing.assert_allclose(result.costs, [NOTEBOOK_ZEROS_COST] * 15, rtol=1e-9, atol=0)
    assert train_accuracy == 0.5
    assert test_accuracy == 0.5


def test_large_random_cost_trace_and_accuracy(trained):
    result, train_accuracy, test_accuracy = trained["random"]
    # The course printed inf at iteration 0; fastinit's cost comes from the logits.
    assert np.isinf(NOTEBOOK_RANDOM_COSTS[0])
    assert np.isfinite(result.costs[0]) and result.costs[0] > 100
    for iteration, cost, expected in zip(result.iterations[1:], result.costs[1:],
                                         NOTEBOOK_RANDOM_COSTS[1:]):
        assert cost == pytest.approx(expected, abs=random_cost_tolerance(iteration)), iteration
    assert train_accuracy == pytest.approx(0.83)
    assert test_accuracy == pytest.approx(0.86)


def test_model_prints_the_notebooks_lines(circles, capsys):
    X, Y, _, _ = circles
    parameters = fi.model(X, Y, initialization="he")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 15
    for i, (line, expected) in enumerate(zip(lines, NOTEBOOK_HE_COSTS)):
        match = re.fullmatch(r"Cost after iteration (\d+): (\S+)", line)
        assert match, line
        assert int(match.group(1)) == 1000 * i
        assert float(match.group(2)) == pytest.approx(expected, rel=1e-9)
    assert fi.accuracy(X, Y, parameters) == pytest.approx(298 / 300)


def _readme_fidelity_rows():
    """Rows of the README's fidelity table: (quantity, course value, fastinit value)."""
    text = README.read_text()
    section = text.split("## Fidelity", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1] not in ("course", "") and not set(cells[1]) <= set("-:"):
            rows.append(tuple(cells))
    return rows


def test_readme_fidelity_table_is_what_fastinit_computes(trained):
    rows = _readme_fidelity_rows()
    assert len(rows) >= 10
    computed = {}
    for method, (result, train_accuracy, test_accuracy) in trained.items():
        for iteration, cost in zip(result.iterations, result.costs):
            computed[f"{method} cost at {iteration}"] = cost
        computed[f"{method} train accuracy"] = train_accuracy
        computed[f"{method} test accuracy"] = test_accuracy
    for quantity, course_value, fastinit_value in rows:
        assert quantity in computed, quantity
        value = computed[quantity]
        if quantity.startswith("random cost"):
            tolerance = random_cost_tolerance(int(quantity.rsplit(" ", 1)[1]))
        else:
            tolerance = max(1e-9 * abs(value), 5e-13)
        # The table was generated on one build; another rounds differently.
        assert value == pytest.approx(float(fastinit_value), abs=tolerance), quantity
        if course_value != "inf" and quantity != "random cost at 0":
            assert value == pytest.approx(float(course_value), abs=tolerance), quantity

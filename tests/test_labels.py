"""Any two labels in a data file (issue 25): ``fastinit train`` maps them to 0/1
in sorted order, prints and saves the mapping, and ``fastinit predict`` answers
in them. One label, or three or more, is one line naming the file and the
labels found."""

import subprocess
import sys

import numpy as np
import pytest

import fastinit as fi
from fastinit.storage import (describe_labels, encode_labels, load_data, read_parameters_file,
                              save_parameters)

RNG = np.random.RandomState(0)
X = RNG.randn(80, 2)
POSITIVE = X[:, 0] + 0.5 * X[:, 1] > 0


def fastinit(*args):
    return subprocess.run([sys.executable, "-m", "fastinit", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def assert_one_line_error(process, *words):
    lines = process.stderr.splitlines()
    assert process.returncode == 2, process.stderr
    assert process.stdout == ""
    assert len(lines) == 1 and lines[0].startswith("fastinit: error: "), process.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def write_csv(path, labels, features=X, header="x1,x2,label", quote=False):
    """A CSV with ``features`` and a label column holding ``labels`` as text."""
    lines = [header] if header else []
    for row, label in zip(features, labels):
        label = f'"{label}"' if quote else label
        lines.append(f"{float(row[0])!r},{float(row[1])!r},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def train(data, tmp_path, *extra):
    return fastinit("train", "--data", data, "--iterations", "300", "--learning-rate", "0.1",
                    "--layers", "4", "--save", tmp_path / "p.npz", *extra)


def expected_network(Y01):
    """The network fi.train gives on X with 0/1 labels ``Y01``, as the command trains it."""
    parameters = fi.initialize([2, 4, 1], "he", seed=3)
    return fi.train(X.T, Y01.reshape(1, -1).astype(float), parameters, learning_rate=0.1,
                    num_iterations=300).parameters


# (what the file holds for the positive and negative class, the mapping printed)
CSV_LABELS = [
    (("dog", "cat"), "cat -> 0, dog -> 1"),
    (("1", "-1"), "-1 -> 0, 1 -> 1"),
    (("7", "2"), "2 -> 0, 7 -> 1"),
    (("10", "9"), "9 -> 0, 10 -> 1"),  # by value, not as text
    (("True", "False"), "False -> 0, True -> 1"),
    (("yes", "no"), "no -> 0, yes -> 1"),
    (("1.5", "0.5"), "0.5 -> 0, 1.5 -> 1"),
    (("1", "0"), "0 -> 0, 1 -> 1"),
    (("a", "Z"), "Z -> 0, a -> 1"),  # by code point: Z < a
]


CSV_CASES = [(*case, False) for case in CSV_LABELS] + [
    (("dog", "cat"), "cat -> 0, dog -> 1", True),  # as spreadsheets quote text
    (("10", "9"), "9 -> 0, 10 -> 1", True),  # quoted numbers are still numbers
]


@pytest.mark.parametrize("labels, mapping, quote", CSV_CASES,
                         ids=[m + (" quoted" if q else "") for _, m, q in CSV_CASES])
def test_any_two_csv_labels_train_predict_and_round_trip(tmp_path, labels, mapping, quote):
    positive, negative = labels
    text = np.where(POSITIVE, positive, negative)
    data = write_csv(tmp_path / "data.csv", text, quote=quote)
    process = train(data, tmp_path)
    assert process.returncode == 0, process.stderr
    assert f"labels in {data}: {mapping}" in process.stderr.splitlines()
    Y01 = text == mapping.split(", ")[1].split(" -> ")[0]  # the label mapped to 1
    expected = expected_network(Y01)
    parameters, _, classes = read_parameters_file(tmp_path / "p.npz")
    assert describe_labels(classes) == mapping
    for key, value in expected.items():
        np.testing.assert_array_equal(parameters[key], value)  # the same 0/1 training

    predicted = fastinit("predict", "--params", tmp_path / "p.npz", "--data", data)
    assert predicted.returncode == 0, predicted.stderr
    codes = fi.predict(X.T, expected)[0].astype(int)
    assert predicted.stdout.split() == [classes[c] for c in codes]
    score = fi.accuracy(X.T, Y01.reshape(1, -1).astype(float), expected)
    assert f"accuracy {score:.4f}" in predicted.stderr
    if classes != ["0", "1"]:
        assert f"labels: {mapping}" in predicted.stderr
    else:
        assert predicted.stderr.startswith("accuracy")


NPZ_LABELS = [
    (np.where(POSITIVE, 1, -1), "-1 -> 0, 1 -> 1", ["1", "-1"]),
    (np.where(POSITIVE, 7, 2).astype(np.uint8), "2 -> 0, 7 -> 1", ["7", "2"]),
    (POSITIVE, "False -> 0, True -> 1", ["True", "False"]),
    (np.where(POSITIVE, "dog", "cat"), "cat -> 0, dog -> 1", ["dog", "cat"]),
    (np.where(POSITIVE, b"dog", b"cat"), "cat -> 0, dog -> 1", ["dog", "cat"]),
    (np.where(POSITIVE, 1.0, 0.0).reshape(-1, 1), "0 -> 0, 1 -> 1", ["1", "0"]),
    (np.where(POSITIVE, 0.25, -3.5), "-3.5 -> 0, 0.25 -> 1", ["0.25", "-3.5"]),
]


@pytest.mark.parametrize("Y, mapping, shown", NPZ_LABELS, ids=[m for _, m, _ in NPZ_LABELS])
def test_any_two_npz_labels(tmp_path, Y, mapping, shown):
    data = tmp_path / "data.npz"
    np.savez(data, X=X, Y=Y)
    process = train(data, tmp_path)
    assert process.returncode == 0, process.stderr
    assert f"labels in {data}: {mapping}" in process.stderr
    expected = expected_network(POSITIVE)
    predicted = fastinit("predict", "--params", tmp_path / "p.npz", "--data", data)
    assert predicted.returncode == 0, predicted.stderr
    codes = fi.predict(X.T, expected)[0].astype(int)
    assert predicted.stdout.split() == [shown[1 - c] for c in codes]


def test_quiet_training_prints_no_mapping_but_saves_it(tmp_path):
    data = write_csv(tmp_path / "data.csv", np.where(POSITIVE, "dog", "cat"))
    process = train(data, tmp_path, "--quiet")
    assert process.returncode == 0 and process.stderr == ""
    assert read_parameters_file(tmp_path / "p.npz")[2] == ["cat", "dog"]


def test_the_label_column_by_name_may_hold_text(tmp_path):
    path = tmp_path / "data.csv"
    lines = ["animal,x1,x2"] + [f"{'dog' if p else 'cat'},{a},{b}"
                                for (a, b), p in zip(X, POSITIVE)]
    path.write_text("\n".join(lines) + "\n")
    features, labels = load_data(path, label_column="animal")
    np.testing.assert_array_equal(features, X.T)
    Y, classes = encode_labels(labels, path)
    assert classes == ["cat", "dog"]
    np.testing.assert_array_equal(Y[0], POSITIVE)


def test_proba_says_which_label_the_probability_is_of(tmp_path):
    data = write_csv(tmp_path / "data.csv", np.where(POSITIVE, "dog", "cat"))
    assert train(data, tmp_path).returncode == 0
    unlabelled = tmp_path / "new.csv"
    np.savetxt(unlabelled, X, delimiter=",")
    process = fastinit("predict", "--params", tmp_path / "p.npz", "--data", unlabelled,
                       "--proba")
    assert process.returncode == 0, process.stderr
    assert process.stderr.strip() == "labels: cat -> 0, dog -> 1; the probabilities are of dog"
    assert len(process.stdout.split()) == len(X)


def test_a_test_file_may_hold_one_of_the_two_labels(tmp_path):
    data = write_csv(tmp_path / "data.csv", np.where(POSITIVE, "dog", "cat"))
    assert train(data, tmp_path).returncode == 0
    dogs = write_csv(tmp_path / "dogs.csv", ["dog"] * POSITIVE.sum(), features=X[POSITIVE])
    process = fastinit("predict", "--params", tmp_path / "p.npz", "--data", dogs)
    assert process.returncode == 0, process.stderr
    assert set(process.stdout.split()) <= {"cat", "dog"} and "accuracy" in process.stderr


def test_numbers_written_two_ways_are_one_label(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("1,2,1.0\n3,4,1\n5,6,0\n7,8,0.0\n9,10,1e0\n")
    Y, classes = encode_labels(load_data(path)[1], path)
    assert classes == ["0", "1"] and Y.tolist() == [[1, 1, 0, 0, 1]]


# --- one label, three or more, labels the network does not know ---------------------------

@pytest.mark.parametrize("labels, words", [
    (["cat"] * 80, ["found 1: cat"]),
    (["1"] * 80, ["found 1: 1"]),
    ((["cat", "dog", "emu"] * 27)[:80], ["found 3: cat, dog, emu"]),
    ([str(i % 3) for i in range(80)], ["found 3: 0, 1, 2"]),
    ([f"{i / 7:.4f}" for i in range(80)], ["found 80: 0, 0.1429, 0.2857", "(80 in all)"]),
    (["-1", "0", "1"] * 26 + ["0", "0"], ["found 3: -1, 0, 1"]),
])
@pytest.mark.parametrize("suffix", [".csv", ".npz"])
def test_not_two_labels_is_one_line_naming_the_file_and_labels(tmp_path, labels, words,
                                                               suffix):
    data = tmp_path / f"data{suffix}"
    if suffix == ".csv":
        write_csv(data, labels)
    else:
        np.savez(data, X=X, Y=np.array(labels))
    line = assert_one_line_error(train(data, tmp_path), str(data), "exactly two distinct labels",
                                 *words)
    assert len(line) < 300
    assert not (tmp_path / "p.npz").exists()


def test_predicting_labels_the_network_was_not_trained_on_is_one_line(tmp_path):
    data = write_csv(tmp_path / "data.csv", np.where(POSITIVE, "dog", "cat"))
    assert train(data, tmp_path).returncode == 0
    other = write_csv(tmp_path / "other.csv", np.where(POSITIVE, "dog", "emu"))
    assert_one_line_error(fastinit("predict", "--params", tmp_path / "p.npz", "--data", other),
                          "other.csv", "not trained on: emu", "cat -> 0, dog -> 1")


def test_old_parameter_files_predict_0_and_1_and_refuse_other_labels(tmp_path):
    save_parameters(tmp_path / "old.npz", fi.initialize([2, 3, 1], seed=0))
    assert read_parameters_file(tmp_path / "old.npz")[2] == ["0", "1"]
    data = write_csv(tmp_path / "data.csv", np.where(POSITIVE, "dog", "cat"))
    assert_one_line_error(fastinit("predict", "--params", tmp_path / "old.npz", "--data", data),
                          "data.csv", "cat, dog", "0 -> 0, 1 -> 1")
    numbers = write_csv(tmp_path / "numbers.csv", np.where(POSITIVE, "1", "0"))
    process = fastinit("predict", "--params", tmp_path / "old.npz", "--data", numbers)
    assert process.returncode == 0 and set(process.stdout.split()) <= {"0", "1"}


# --- hostile labels and label files --------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("1,2,cat\n3,4,\n", ["line 2", "label (column 3) is empty"]),
    ("1,2,cat\n3,4,dog,5\n", ["line 2 has 4 columns, line 1 has 3"]),
    ("1,2,cat\n3,x,dog\n", ["line 2, column 2", "'x'"]),
    ("1,2,nan\n3,4,1\n", ["labels", "finite", "example 1"]),
    ("1,2,1\n3,4,inf\n", ["labels", "finite", "example 2"]),
    ("1,nan,cat\n3,4,dog\n", ["NaN or infinite", "example 1"]),
    ("x1,x2,label\n", ["no data rows"]),
])
def test_damaged_label_columns_are_one_line(tmp_path, text, words):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert_one_line_error(train(path, tmp_path), "bad.csv", *words)


@pytest.mark.parametrize("Y, words", [
    (np.array([1 + 1j, 2j] * 40), ["Y in", "labels", "complex"]),
    (np.array([b"\xff", b"a"] * 40), ["not UTF-8"]),
    (np.array([np.nan, 1.0] * 40), ["finite", "example 1"]),
    (np.ones(79), ["one label per row of X (80)"]),
])
def test_hostile_npz_labels_are_one_line(tmp_path, Y, words):
    path = tmp_path / "bad.npz"
    np.savez(path, X=X, Y=Y)
    assert_one_line_error(train(path, tmp_path), "bad.npz", *words)


def test_an_npz_stored_with_examples_as_columns_says_so(tmp_path):
    path = tmp_path / "wide.npz"
    np.savez(path, X=X.T, Y=POSITIVE)
    assert_one_line_error(train(path, tmp_path), "wide.npz", "looks transposed",
                          "one example per row")


def test_predict_data_stored_with_examples_as_columns_says_so(tmp_path):
    data = write_csv(tmp_path / "data.csv", np.where(POSITIVE, "dog", "cat"))
    assert train(data, tmp_path).returncode == 0
    np.savez(tmp_path / "wide.npz", X=X[:5].T)  # 2 rows of 5 examples
    assert_one_line_error(fastinit("predict", "--params", tmp_path / "p.npz", "--data",
                                   tmp_path / "wide.npz"),
                          "wide.npz", "5 feature columns", "take 2", "looks transposed")


@pytest.mark.parametrize("labels, error", [
    (["cat"], ValueError), (["cat", "cat"], ValueError), (["", "dog"], ValueError),
    (["a\nb", "c"], ValueError), ([["a"], ["b"]], ValueError), ([1 + 1j, 2], ValueError),
])
def test_save_parameters_refuses_bad_labels_by_name(tmp_path, labels, error):
    with pytest.raises(error, match="labels"):
        save_parameters(tmp_path / "p.npz", fi.initialize([2, 3, 1], seed=0), labels=labels)
    assert not (tmp_path / "p.npz").exists()


def test_save_parameters_takes_numbers_and_booleans_as_labels(tmp_path):
    save_parameters(tmp_path / "p.npz", fi.initialize([2, 3, 1], seed=0), labels=[-1, 1])
    assert read_parameters_file(tmp_path / "p.npz")[2] == ["-1", "1"]
    save_parameters(tmp_path / "q.npz", fi.initialize([2, 3, 1], seed=0), labels=[False, True])
    assert read_parameters_file(tmp_path / "q.npz")[2] == ["False", "True"]


def test_load_parameters_ignores_the_stored_labels(tmp_path):
    parameters = fi.initialize([2, 3, 1], seed=0)
    save_parameters(tmp_path / "p.npz", parameters, labels=["cat", "dog"])
    loaded = fi.load_parameters(tmp_path / "p.npz")
    assert sorted(loaded) == sorted(parameters)


@pytest.mark.parametrize("labels", [np.array(["a", "b", "c"]), np.array([1.0 + 1j, 2]),
                                    np.array(["x", "x"]), np.array("ab")])
def test_a_parameters_file_with_damaged_labels_is_one_line(tmp_path, labels):
    arrays = {**fi.initialize([2, 3, 1], seed=0), "labels": labels}
    np.savez(tmp_path / "p.npz", **arrays)
    np.savetxt(tmp_path / "data.csv", X, delimiter=",")
    assert_one_line_error(fastinit("predict", "--params", tmp_path / "p.npz", "--data",
                                   tmp_path / "data.csv"), "labels", "p.npz")


def test_many_rows_of_text_labels_load(tmp_path):
    rng = np.random.RandomState(1)
    features = rng.randn(50_000, 3)
    path = tmp_path / "big.csv"
    with open(path, "w") as handle:
        for row in features:
            cells = [repr(float(value)) for value in row] + ["yes" if row[0] > 0 else "no"]
            handle.write(",".join(cells) + "\n")
    loaded, labels = load_data(path)
    np.testing.assert_array_equal(loaded, features.T)
    Y, classes = encode_labels(labels, path)
    assert classes == ["no", "yes"]
    np.testing.assert_array_equal(Y[0], features[:, 0] > 0)

"""Print the README's fidelity table: the notebook's printed numbers beside fastinit's.

Run ``python docs/fidelity_table.py`` and paste the output under "## Fidelity" in
README.md; ``tests/test_fidelity.py`` checks every row against what fastinit computes.
"""

import fastinit as fi

NOTEBOOK = {
    "zeros": {"costs": {0: "0.6931471805599453", 14000: "0.6931471805599453"},
              "train": "0.5", "test": "0.5"},
    "random": {"costs": {0: "inf", 1000: "0.6242434241539614", 7000: "0.469574666760224",
                         14000: "0.3827489017191917"},
               "train": "0.83", "test": "0.86"},
    "he": {"costs": {0: "0.8830537463419761", 1000: "0.6879825919728063",
                     7000: "0.3117803464844441", 14000: "0.07357895962677369"},
           "train": "0.993333333333", "test": "0.96"},
}


def main():
    X, Y, X_test, Y_test = fi.datasets.load_dataset()
    print("| quantity | course | fastinit |")
    print("| --- | --- | --- |")
    for method, printed in NOTEBOOK.items():
        result = fi.train(X, Y, fi.initialize([2, 10, 5, 1], method, seed=3))
        costs = dict(zip(result.iterations, result.costs))
        for iteration, course in printed["costs"].items():
            print(f"| {method} cost at {iteration} | {course} | {costs[iteration]!r} |")
        train = fi.accuracy(X, Y, result.parameters)
        test = fi.accuracy(X_test, Y_test, result.parameters)
        print(f"| {method} train accuracy | {printed['train']} | {train!r} |")
        print(f"| {method} test accuracy | {printed['test']} | {test!r} |")


if __name__ == "__main__":
    main()

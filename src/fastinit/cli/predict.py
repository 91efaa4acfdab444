"""``fastinit predict``: predict with parameters saved by ``fastinit train``."""

import sys

from .options import UsageError, _label_column


def add_parser(commands):
    """Add the ``predict`` command: predict with saved parameters.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    predict = commands.add_parser(
        "predict",
        help="predict with saved parameters",
        description=(
            "Print one prediction per example (row) of --data, in the labels the network "
            "was trained on (saved with it by 'fastinit train --save'; 0/1 otherwise). If "
            "the file also holds labels (an .npz with Y, or a CSV with one column more than "
            "the network's inputs), the accuracy is printed on stderr. With --proba the "
            "probabilities are of the label that sorts last (1, or e.g. dog of cat/dog)."
        ),
    )
    predict.add_argument("--params", required=True, help=".npz written by 'fastinit train --save'")
    predict.add_argument("--data", required=True, help=".npz or .csv file of examples")
    predict.add_argument("--label-column", default=None,
                         help="CSV label column, by index or header name (default: last)")
    predict.add_argument("--proba", action="store_true",
                         help="print probabilities instead of 0/1 predictions")


def run(args):
    """Run ``fastinit predict``: print one prediction (or probability) per
    example, and the accuracy when the data hold labels.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ..network import accuracy, predict, predict_proba
    from ..storage import describe_labels, encode_labels, load_data, read_parameters_file

    parameters, hidden, classes = read_parameters_file(args.params)
    n_features = parameters["W1"].shape[1]
    X, labels = load_data(args.data, n_features=n_features,
                          label_column=_label_column(args.label_column))
    _check_features(X, n_features, args)
    Y = None if labels is None else encode_labels(labels, args.data, classes)[0]
    if args.proba:
        lines = [repr(float(v)) for v in predict_proba(X, parameters, **hidden)[0]]
    else:
        lines = [classes[int(v)] for v in predict(X, parameters, **hidden)[0]]
    score = None if Y is None else accuracy(X, Y, parameters, **hidden)
    print("\n".join(lines))  # only once everything has worked: a failure prints nothing
    if classes != ["0", "1"]:
        proba = f"; the probabilities are of {classes[1]}" if args.proba else ""
        print(f"labels: {describe_labels(classes)}{proba}", file=sys.stderr)
    if score is not None:
        print(f"accuracy {score:.4f}", file=sys.stderr)
    return 0


def _check_features(X, n_features, args):
    """Refuse data (``X`` as ``(features, examples)``) whose feature columns are
    not the ``n_features`` the parameters take; say so when the file looks
    stored with one example per column."""
    if X.shape[0] == n_features:
        return
    hint = ""
    if X.shape[1] == n_features:
        hint = (f"; it looks transposed (one example per column): store one example per "
                f"row, an .npz X of shape (m, {n_features})")
    raise UsageError(f"{args.data} has {X.shape[0]} feature columns but the parameters in "
                     f"{args.params} take {n_features}{hint}")

"""``fastinit train``: train a network on the user's data, and save it."""

import sys

import numpy as np

from .options import (UsageError, _add_training_options, _add_verbosity_options,
                      _counts_epochs, _hidden_layers, _initializer, _label_column,
                      _training_options)
from .progress import _Progress


def add_parser(commands):
    """Add the ``train`` command: train a network on your own data.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    train = commands.add_parser(
        "train",
        help="train a network on your own data",
        description=(
            "Train on your data. Files hold one example per row, as people store them: "
            ".npz with an array X of shape (m, n_features) and labels Y of shape (m,); "
            ".csv with comma-separated numbers, an optional header row, and the label in "
            "the last column (or --label-column). The labels may be any two distinct values "
            "(0/1, -1/1, 2/7, cat/dog, True/False): they are mapped to 0 and 1 in sorted "
            "order (numbers by value, text alphabetically, False before True); the mapping "
            "is printed and saved with --save, and predict answers in the same labels."
        ),
    )
    train.add_argument("--data", required=True, help=".npz or .csv file of training examples")
    train.add_argument("--label-column", default=None,
                       help="CSV label column, by index or header name (default: last)")
    train.add_argument("--layers", type=_hidden_layers, default=(10, 5),
                       help="comma-separated hidden layer sizes (default: 10,5)")
    train.add_argument("--init", type=_initializer, default="he",
                       help="initializer (default: he)")
    _add_training_options(train)
    train.add_argument("--save", default=None, help="write the trained parameters to this .npz")
    _add_verbosity_options(train)


def run(args):
    """Run ``fastinit train``: print the train accuracy and final cost, and
    save the parameters with ``--save``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ..experiments import _initial
    from ..network import accuracy
    from ..training import train
    from ..storage import (check_output, describe_labels, encode_labels, load_data, same_file,
                          save_parameters)

    if args.save is not None:
        check_output(args.save, "--save")
        if same_file(args.save, args.data):
            raise UsageError(f"--save must name a new file, not {args.save!r}: it is the "
                             f"training data {args.data!r}")
    X, labels = load_data(args.data, label_column=_label_column(args.label_column))
    if labels is None:
        raise UsageError(f"{args.data} has no labels: an .npz needs an array Y")
    Y, classes = encode_labels(labels, args.data)
    X = np.asarray(X, dtype=args.dtype)
    if not args.quiet:
        print(f"labels in {args.data}: {describe_labels(classes)}", file=sys.stderr)
    parameters = _initial([X.shape[0], *args.layers, 1], args.init, args.seed, (X,),
                          {"activation": args.activation, "negative_slope": args.negative_slope})
    options = _training_options(args)
    progress = _Progress(1, args.iterations, args.quiet, args.verbose,
                         unit="epoch" if _counts_epochs(options) else "iteration")
    progress.start(args.init)
    result = train(X, Y, parameters, learning_rate=args.learning_rate,
                   num_iterations=args.iterations, callback=progress.record, **options)
    progress.finish()
    hidden = {"activation": result.activation, "negative_slope": result.negative_slope}
    print(f"train accuracy {accuracy(X, Y, result.parameters, **hidden):.4f}  "
          f"final cost {result.final_cost:.6g}")
    if args.save is not None:
        save_parameters(args.save, result.parameters, labels=classes, **hidden)
        if not args.quiet:
            print(f"saved parameters to {args.save}", file=sys.stderr)
    return 0

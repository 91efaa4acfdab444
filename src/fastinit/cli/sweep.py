"""``fastinit sweep``: train a grid of networks and summarize it over the seeds."""

import sys

from ..datasets import DATASETS
from ..training import OPTIMIZERS
from .options import (_activation_list, _depth_list, _initializers, _non_negative_float,
                      _positive_float, _positive_int, _probability, _seed_list, _width_list)
from .runs import _runs_executor, add_runner_options


def add_parser(commands):
    """Add the ``sweep`` command: train a grid of networks (initializers x
    activations x depths x widths x seeds).

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    sweep = commands.add_parser(
        "sweep",
        help="train a grid of networks (initializers x activations x depths x widths x seeds)",
        description=(
            "Train one network per cell of the grid --inits x --activations x --depths x "
            "--width(s) x --seeds on a built-in data set, each exactly as fi.train with one "
            "thread, on a thread pool (--workers), a local Dask cluster (--dask local) or an "
            "existing one (--dask tcp://host:8786). Writes runs.csv (a row per run, saved as "
            "it finishes), summary.csv, summary.png and sweep.json to --out; --resume "
            "continues a sweep that was stopped."
        ),
    )
    sweep.add_argument("--inits", type=_initializers, default=["he", "xavier"],
                       help="comma-separated initializers (default: he,xavier)")
    sweep.add_argument("--activations", type=_activation_list, default=["relu"],
                       help="comma-separated hidden activations (default: relu)")
    sweep.add_argument("--depths", type=_depth_list, default=[2],
                       help="comma-separated numbers of hidden layers (default: 2)")
    widths = sweep.add_mutually_exclusive_group()
    widths.add_argument("--width", type=_positive_int, default=None,
                        help="units per hidden layer (default: 10)")
    widths.add_argument("--widths", type=_width_list, default=None,
                        help="several widths, comma-separated")
    sweep.add_argument("--seeds", type=_seed_list, default=list(range(10)),
                       help="initializer seeds, e.g. 0-99 or 1,5,9 (default: 0-9)")
    sweep.add_argument("--dataset", choices=DATASETS, default="circles",
                       help="built-in data set (default: circles)")
    sweep.add_argument("--iterations", type=_positive_int, default=2000,
                       help="iterations, or epochs with mini-batches or an optimizer "
                            "(default: 2000)")
    sweep.add_argument("--learning-rate", type=_positive_float, default=0.01,
                       help="learning rate (default: 0.01)")
    sweep.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="gd",
                       help="gd, momentum or adam (default: gd, full batch)")
    sweep.add_argument("--mini-batch", type=_positive_int, default=None,
                       help="mini-batch size (default: the whole set)")
    sweep.add_argument("--lambd", type=_non_negative_float, default=0.0,
                       help="L2 regularization strength (default: 0)")
    sweep.add_argument("--keep-prob", type=_probability, default=1.0,
                       help="dropout: probability of keeping a hidden unit (default: 1)")
    sweep.add_argument("--out", default="fastinit-sweep",
                       help="folder for runs.csv, summary.csv, summary.png and sweep.json "
                            "(default: ./fastinit-sweep)")
    add_runner_options(sweep)


def format_sweep_table(summary):
    """The sweep's summary as aligned text: mean +- std over the seeds."""
    header = (f"{'initializer':<16} {'activation':<11} {'depth':>5} {'width':>5} {'runs':>5} "
              f"{'train acc':>15} {'test acc':>15} {'diverged':>8}")
    lines = [header, "-" * len(header)]
    for row in summary:
        lines.append(
            f"{row['initializer']:<16} {row['activation']:<11} {row['depth']:>5} "
            f"{row['width']:>5} {row['count']:>5} "
            f"{row['train_accuracy_mean']:>7.3f} +- {row['train_accuracy_std']:.3f} "
            f"{row['test_accuracy_mean']:>7.3f} +- {row['test_accuracy_std']:.3f} "
            f"{row['diverged']:>8}")
    return "\n".join(lines)


def run(args):
    """Run ``fastinit sweep``: train the grid and print its summary.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ..sweep import sweep

    if args.optimizer == "gd" and args.mini_batch is None:
        optimizer_options = {}
    else:
        optimizer_options = {"optimizer": args.optimizer, "mini_batch_size": args.mini_batch}
    with _runs_executor(args) as (client, progress):
        result = sweep(args.inits, depths=args.depths,
                       widths=args.widths or [args.width or 10], activations=args.activations,
                       seeds=args.seeds, dataset=args.dataset, iterations=args.iterations,
                       learning_rate=args.learning_rate, lambd=args.lambd,
                       keep_prob=args.keep_prob, out=args.out, resume=args.resume,
                       executor=client, workers=args.workers, on_runs=progress,
                       **optimizer_options)
    print(format_sweep_table(result.summary()))
    if not args.quiet:
        print(f"\nwrote runs.csv, summary.csv, summary.png, sweep.json to {args.out}",
              file=sys.stderr)
    return 0

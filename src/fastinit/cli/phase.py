"""``fastinit phase``: the trainability phase diagram, which depths train at
which weight variance."""

import sys

from ..activations import ACTIVATIONS
from ..datasets import DATASETS
from ..training import OPTIMIZERS
from .options import (_bias_variance, _depth_list, _non_negative_float,
                      _phase_threshold, _positive_float, _positive_int, _seed_list,
                      _sigma_w2_list)
from .runs import _runs_executor, add_runner_options


def add_parser(commands):
    """Add the ``phase`` command: which depths train at which weight variance.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    from ..phase import DEFAULT_DEPTHS, DEFAULT_SIGMA_W2, DEFAULT_THRESHOLD

    phase = commands.add_parser(
        "phase",
        help="which depths train at which weight variance: the trainability phase diagram",
        description=(
            "The trainability phase diagram of Schoenholz et al. 2017: one network per "
            "weight variance (--sigma-w2) x depth (--depths) x seed, weights N(0, sigma_w2 / "
            "fan_in) and biases N(0, --sigma-b2), trained with mini-batch SGD on a built-in "
            "data set (default: scikit-learn's digits, even against odd), on a thread pool "
            "(--workers) or a Dask cluster (--dask). Writes runs.csv (a row per run, saved as "
            "it finishes), phase.csv (a row per sigma_w2 and depth), phase.png (training and "
            "test accuracy with the theory's xi_c, 3 xi_c and 6 xi_c drawn over them) and "
            "phase.json (grid, settings, version, theory) to --out; --resume continues a "
            "diagram that was stopped. A cell trained when most of its runs did not diverge "
            "and their mean training accuracy is at least --threshold."
        ),
    )
    phase.add_argument("--sigma-w2", type=_sigma_w2_list, default=list(DEFAULT_SIGMA_W2),
                       metavar="VALUES",
                       help="weight variances, comma-separated or a range start:stop:count "
                            "(default: 1:4:16, i.e. 1.0, 1.2, ..., 4.0)")
    phase.add_argument("--depths", type=_depth_list, default=list(DEFAULT_DEPTHS),
                       help="comma-separated numbers of hidden layers (default: "
                            f"{','.join(map(str, DEFAULT_DEPTHS))})")
    phase.add_argument("--seeds", type=_seed_list, default=[0, 1],
                       help="initializer seeds, e.g. 0-4 or 1,5,9 (default: 0-1)")
    phase.add_argument("--sigma-b2", type=_bias_variance, default=0.05,
                       help="the biases' variance (default: 0.05)")
    phase.add_argument("--width", type=_positive_int, default=48,
                       help="units per hidden layer (default: 48)")
    phase.add_argument("--activation", choices=ACTIVATIONS, default="tanh",
                       help="hidden activation (default: tanh)")
    phase.add_argument("--negative-slope", type=_non_negative_float, default=0.01,
                       help="leaky_relu's slope for negative inputs (default: 0.01)")
    phase.add_argument("--dataset", choices=DATASETS, default="digits",
                       help="built-in data set (default: digits, which needs scikit-learn)")
    phase.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="gd",
                       help="gd, momentum or adam (default: gd)")
    phase.add_argument("--mini-batch", type=_positive_int, default=64,
                       help="mini-batch size (default: 64)")
    phase.add_argument("--epochs", type=_positive_int, default=20,
                       help="passes over the training set (default: 20)")
    phase.add_argument("--learning-rate", type=_positive_float, default=0.01,
                       help="learning rate (default: 0.01)")
    phase.add_argument("--threshold", type=_phase_threshold, default=DEFAULT_THRESHOLD,
                       help=f"the mean training accuracy a cell must reach to count as "
                            f"trained, most of its runs not diverging (default: "
                            f"{DEFAULT_THRESHOLD:g})")
    phase.add_argument("--out", default="fastinit-phase",
                       help="folder for runs.csv, phase.csv, phase.png and phase.json "
                            "(default: ./fastinit-phase)")
    add_runner_options(phase)


def format_phase_table(diagram):
    """Each sigma_w2's deepest trained depth against the theory's xi_c and 6 xi_c."""
    theory = diagram.theory()
    header = (f"{'sigma_w2':>8} {'deepest trained':>15} {'xi_c':>9} {'6 xi_c':>9}  "
              f"(critical sigma_w2 {theory['critical_sigma_w2']:.4g}, "
              f"trained: most runs converged, mean train acc >= {diagram.threshold:g})")
    lines = [header, "-" * len(header)]
    for sigma_w2, deepest, xi_c in zip(diagram.grid["sigma_w2_values"],
                                        diagram.deepest_trained(), theory["xi_c"]):
        lines.append(f"{sigma_w2:>8.4g} {'none' if deepest is None else deepest:>15} "
                     f"{xi_c:>9.3g} {6 * xi_c:>9.3g}")
    return "\n".join(lines)


def run(args):
    """Run ``fastinit phase``: train the diagram's grid and print each sigma_w2's
    deepest trained depth.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ..phase import phase_diagram

    with _runs_executor(args) as (client, progress):
        diagram = phase_diagram(
            args.sigma_w2, args.depths, args.seeds, sigma_b2=args.sigma_b2, width=args.width,
            activation=args.activation, dataset=args.dataset, optimizer=args.optimizer,
            mini_batch_size=args.mini_batch, epochs=args.epochs,
            learning_rate=args.learning_rate, negative_slope=args.negative_slope,
            threshold=args.threshold, out=args.out, resume=args.resume, executor=client,
            workers=args.workers, on_runs=progress)
    print(format_phase_table(diagram))
    if not args.quiet:
        print(f"\nwrote runs.csv, phase.csv, phase.png, phase.json to {args.out}",
              file=sys.stderr)
    return 0

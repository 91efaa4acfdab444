"""Writing the commands' figures: :func:`_save`, one figure to one file."""

import os

from ..storage import atomic_write


def _save(figure, path):
    """Write ``figure`` to ``path`` (format from its extension), then close it, even
    when the write fails."""
    import matplotlib.pyplot as plt

    try:
        with atomic_write(path) as handle:
            figure.savefig(handle, dpi=120, format=os.path.splitext(path)[1][1:] or "png")
    finally:
        plt.close(figure)

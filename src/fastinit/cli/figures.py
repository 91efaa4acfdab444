"""Writing the commands' figures: :func:`_save`, one figure to one file."""

from ..storage import save_figure


def _save(figure, path):
    """Write ``figure`` to ``path`` (format from its extension) at 120 dpi, then
    close it, even when the write fails."""
    save_figure(figure, path, dpi=120)

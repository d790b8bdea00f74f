"""The progress bar class the drivers use: tqdm's notebook widget only where it can be drawn."""

from __future__ import annotations

import importlib.util


def progress_bar():
    """``tqdm.auto.tqdm`` when ipywidgets is installed, else the plain text ``tqdm.tqdm``.

    ``tqdm.auto`` in a Jupyter kernel without ipywidgets warns "IProgress not found" and falls
    back to text anyway; choosing the text bar up front avoids the warning without making
    ipywidgets a dependency.

    Returns
    -------
    type
        A tqdm progress-bar class.
    """
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm

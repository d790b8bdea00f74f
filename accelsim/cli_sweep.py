"""``accelsim sweep`` and ``accelsim import`` (design-space sweeps, model import)."""

from __future__ import annotations


def add_parsers(sub) -> None:
    """Register the sweep-related subcommands (none yet)."""

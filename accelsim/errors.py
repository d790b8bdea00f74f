"""Exception types raised by accelsim.

Every error a user can cause (a bad file, an impossible shape, a mapping that does not fit)
is an :class:`AccelsimError`; the CLI turns it into one message and exit code 2.
"""

from __future__ import annotations


class AccelsimError(Exception):
    """Base class of every error accelsim reports to a user.

    Parameters
    ----------
    message : str
        What is wrong and which constraint was violated.
    field : str, optional
        Dotted path of the offending field (``layers[2].R``), when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class SpecError(AccelsimError):
    """A layer, workload, hardware or energy description is malformed or impossible."""


class MappingError(AccelsimError):
    """A mapping does not cover the layer or breaks a dataflow's constraints."""


class CapacityError(MappingError):
    """A mapping's tiles overflow a storage level or the PE array."""


class InfeasibleError(AccelsimError):
    """No legal mapping exists for a (layer, hardware, dataflow) case."""

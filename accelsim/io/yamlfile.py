"""Reading YAML files (ruamel.yaml, safe loader, YAML 1.2).

YAML 1.2 reads ``1e-12`` and ``200e6`` as floats and ``yes`` as a string; duplicate keys are
an error. Every failure becomes one :class:`~accelsim.errors.SpecError` that names the file
and, for a syntax error, the line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import SpecError


def parse_yaml(text: str, origin: str = "<string>") -> Any:
    """Parse YAML text into plain Python data (dicts, lists, str, int, float, bool, None).

    Parameters
    ----------
    text : str
        The document.
    origin : str
        Name used in error messages (usually the file path).

    Returns
    -------
    Any
        The document's data; ``None`` for an empty document.

    Raises
    ------
    SpecError
        The text is not well-formed YAML; the message gives the line and column (1-based).
    """
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SpecError(f"malformed YAML in {origin}{where}: {problem}") from None
    except YAMLError as exc:
        raise SpecError(f"malformed YAML in {origin}: {exc}") from None
    except RecursionError:
        raise SpecError(f"malformed YAML in {origin}: collections nested too deeply") from None
    except ValueError as exc:  # a constructor's complaint, e.g. an integer of more than 4300 digits
        raise SpecError(f"malformed YAML in {origin}: {' '.join(str(exc).split())}") from None


def read_yaml(path: str | Path) -> Any:
    """Read and parse one YAML file.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Any
        The document's data.

    Raises
    ------
    SpecError
        The file is missing, unreadable, not UTF-8, or not well-formed YAML.
    """
    return parse_yaml(read_text(path), origin=str(path))


def read_text(path: str | Path, what: str = "") -> str:
    """A UTF-8 text file's contents; one :class:`SpecError` if it is missing or unreadable.

    ``what`` names the kind of file in the message (``"no such SCALE-Sim config file"``).
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"no such {what + ' ' if what else ''}file: {path}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None

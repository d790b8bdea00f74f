"""Reading Timeloop YAML: the v0.4 node tags, hyphenated keys, and one-line refusals.

Timeloop's v0.4 front end (timeloopfe) writes architecture nodes with YAML tags
(``!Container``, ``!Component``, ``!Parallel``, ``!Hierarchical``); this loader turns a tagged
mapping into a plain dict with the tag under the key ``"!"``. Older files spell keys with
hyphens (``block-size``, ``word-bits``, ``data-spaces``, ``read-write``); Timeloop ≥ 2024-02
reads them as underscores, and so does :func:`key` here.

Every problem is a :class:`~accelsim.errors.SpecError` whose field is the key path inside the
Timeloop file (``mapping[3].factors``) and whose message ends with the file's name.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import SpecError
from .yamlfile import read_text

#: v0.4 node tags the loader accepts
NODE_TAGS = ("Container", "Component", "Parallel", "Hierarchical")


def refuse(why: str, path: str, origin: str) -> SpecError:
    """The one-line refusal: ``path`` is the key path in ``origin``, ``why`` the reason."""
    return SpecError(f"{why} (in {origin})", field=path or None)


def _tagged(tag: str):
    def construct(constructor, node):
        if not hasattr(node, "value") or not isinstance(node.value, list) or (
                node.value and not isinstance(node.value[0], tuple)):
            raise SpecError(f"the !{tag} node must be a mapping of keys to values")
        data = constructor.construct_mapping(node, deep=True)
        return {"!": tag, **data}
    return construct


def load_timeloop_yaml(path: str, what: str) -> Any:
    """Read one Timeloop YAML file (any version) into plain data.

    Parameters
    ----------
    path : str
        The file.
    what : str
        What the file is (``architecture``, ``problem``, ``mapping``), for messages.

    Raises
    ------
    SpecError
        Missing or unreadable file, malformed YAML, an unknown tag.
    """
    text = read_text(path, what)
    yaml = YAML(typ="safe", pure=True)
    for tag in NODE_TAGS:
        yaml.constructor.add_constructor(f"!{tag}", _tagged(tag))
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc).split())
        if "could not determine a constructor" in problem:
            problem += f" (known tags: {', '.join('!' + t for t in NODE_TAGS)})"
        raise SpecError(f"malformed {what} YAML in {path}{where}: {problem}") from None
    except (YAMLError, SpecError, RecursionError) as exc:
        raise SpecError(f"malformed {what} YAML in {path}: {' '.join(str(exc).split())}") from None


def key(name: Any) -> Any:
    """A key as Timeloop ≥ 2024-02 reads it: hyphens become underscores."""
    return name.replace("-", "_") if isinstance(name, str) else name


def normalised(data: dict) -> dict:
    """``data`` with every key :func:`key`-normalised (one level)."""
    return {key(k): v for k, v in data.items()}


def need_map(value: Any, path: str, origin: str) -> dict:
    """``value`` as a normalised dict, or a refusal naming ``path``."""
    if not isinstance(value, dict):
        kind = "missing" if value is None else f"a {type(value).__name__}"
        raise refuse(f"must be a mapping of keys to values, it is {kind}", path, origin)
    return normalised(value)


def need_list(value: Any, path: str, origin: str) -> list:
    """``value`` as a list, or a refusal naming ``path``."""
    if not isinstance(value, list):
        kind = "missing" if value is None else f"a {type(value).__name__}"
        raise refuse(f"must be a list, it is {kind}", path, origin)
    return value


def positive_int(value: Any, path: str, origin: str) -> int:
    """``value`` as an integer ≥ 1 (a float with an integer value is accepted), or a refusal."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise refuse(f"must be an integer >= 1, got {value!r}", path, origin)
    return value

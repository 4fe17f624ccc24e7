"""A user's code named on the command line: ``path/to/file.py:function`` or ``package.module:function``.

Importing a user's file runs it, so zspace says which file and function it imports, once per
process: the library calls the listeners registered with :func:`on_user_code` (the CLI prints
the line) and prints nothing itself. Nothing here is pickled or copied: a run records the
spec, and the code is imported again where the run is opened.

Also the optional extras: :func:`require_extra` imports a package of an extra (``diffusers``,
``transformers``) or says in one line which extra installs it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from zspace.errors import ZspaceError

_LISTENERS: list[Callable[[str], None]] = []
_ANNOUNCED: set[str] = set()


def on_user_code(listener: Callable[[str], None]) -> None:
    """Call ``listener(line)`` each time user code is imported for the first time in this process."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _announce(key: str, line: str) -> None:
    if key in _ANNOUNCED:
        return
    _ANNOUNCED.add(key)
    for listener in _LISTENERS:
        listener(line)


@dataclass(frozen=True)
class CodeSpec:
    """Where a function lives: a file (absolute path) or an importable module, and the function's name."""

    function: str
    path: str | None = None  # "/abs/net.py", or None for a module
    module: str | None = None  # "package.module", or None for a file

    @property
    def kind(self) -> str:
        return "file" if self.path is not None else "module"

    def __str__(self) -> str:
        return f"{self.path or self.module}:{self.function}"


def parse_code_spec(spec: str, what: str = "factory") -> CodeSpec:
    """``file.py:function`` (the file resolved to an absolute path) or ``package.module:function``."""
    where, sep, function = spec.rpartition(":")
    if not sep or not where or not function.isidentifier():
        raise ZspaceError(f"{what} {spec!r}: give path/to/file.py:function or package.module:function")
    if where.endswith(".py"):
        path = Path(where).expanduser().resolve()
        if not path.is_file():
            raise ZspaceError(f"{what} {spec!r}: file {path} not found; check the path")
        return CodeSpec(function, path=str(path))
    if not all(part.isidentifier() for part in where.split(".")):
        raise ZspaceError(f"{what} {spec!r}: {where!r} is neither a .py file nor a module name; "
                          "give path/to/file.py:function or package.module:function")
    return CodeSpec(function, module=where)


def _import_file(path: Path) -> ModuleType:
    """Import ``path`` as a module of its own name space (its folder on sys.path while it runs)."""
    name = f"zspace_user_{path.stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ZspaceError(f"{path}: cannot be imported as a Python file; give a .py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling-free helpers look their module up here
    sys.path.insert(0, str(path.parent))  # so that it can import the files beside it
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        del sys.modules[name]
        raise ZspaceError(f"{path}: importing it raised {type(err).__name__}: {_first_line(err)}; "
                          "fix the file") from None
    finally:
        sys.path.remove(str(path.parent))
    return module


def load_function(spec: CodeSpec, why: str) -> Callable[..., Any]:
    """The function ``spec`` names, its module imported (and announced once: ``why`` says what for)."""
    _announce(str(spec), f"importing {spec.path or spec.module} and calling {spec.function}() {why} "
                         "(this runs its code)")
    if spec.path is not None:
        module = _import_file(Path(spec.path))
    else:
        try:
            module = importlib.import_module(spec.module)
        except ModuleNotFoundError as err:
            raise ZspaceError(f"module {spec.module!r} not found ({_first_line(err)}); install it or put its "
                              "folder on PYTHONPATH, or give path/to/file.py:function") from None
        except Exception as err:
            raise ZspaceError(f"module {spec.module!r}: importing it raised {type(err).__name__}: "
                              f"{_first_line(err)}; fix the module") from None
    function = getattr(module, spec.function, None)
    if not callable(function):
        found = "not found" if function is None else f"is a {type(function).__name__}, not a function"
        raise ZspaceError(f"{spec}: {spec.function!r} {found} in {spec.path or spec.module}; "
                          "name a function defined there")
    return function


def call_user_function(function: Callable[..., Any], spec: object, *args: Any) -> Any:
    """``function(*args)``; an exception in the user's code becomes one line naming ``spec``."""
    try:
        return function(*args)
    except ZspaceError:
        raise
    except Exception as err:
        raise ZspaceError(f"{spec}: calling it raised {type(err).__name__}: {_first_line(err)}; "
                          "fix the function") from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def require_extra(package: str, extra: str = "models", what: str = "this") -> ModuleType:
    """Import ``package`` from the optional extra ``extra``, or one error saying how to install it."""
    try:
        return importlib.import_module(package)
    except ImportError as err:
        raise ZspaceError(f"{what} needs the Python package {package!r}, which is not installed ({_first_line(err)}); "
                          f"install zspace's {extra!r} extra: pip install 'zspace[{extra}]'") from None

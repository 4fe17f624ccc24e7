"""The zspace command itself: lazy loading, --help without torch, --version, exit codes, OSError lines."""

from __future__ import annotations

import errno
import importlib
import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest
import typer

from zspace.cli import main as cli
from zspace.cli.main import COMMANDS, main

HEAVY = ("torch", "lightning", "matplotlib", "sklearn", "scipy", "openTSNE", "PIL")


def modules_after(*argv: str) -> tuple[int, str, set[str]]:
    """Run ``zspace ARGV`` in a fresh interpreter; its exit code, stdout and imported module names."""
    script = ("import contextlib, io, json, sys\n"
              "from zspace.cli.main import main\n"
              "out = io.StringIO()\n"
              "with contextlib.redirect_stdout(out):\n"
              f"    code = main({list(argv)!r})\n"
              "print(json.dumps([code, out.getvalue(), sorted(sys.modules)]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code, out, modules = json.loads(done.stdout)
    return code, out, {name.split(".")[0] for name in modules}


def test_help_lists_every_command_without_importing_heavy_modules() -> None:
    code, out, modules = modules_after("--help")
    assert code == 0
    for name in COMMANDS:
        assert f"  {name} " in out
    assert "--version" in out
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert not any(m.startswith("zspace.cli.") and m != "zspace.cli.main" for m in modules)


def test_version_comes_from_the_package_metadata() -> None:
    code, out, modules = modules_after("--version")
    assert code == 0 and out.strip() == f"zspace {version('zspace')}"
    assert "torch" not in modules
    import zspace

    assert zspace.__version__ == version("zspace")


def test_the_help_kept_in_main_is_each_command_docstring() -> None:
    """COMMANDS holds the one-line help so --help need not import the commands; it must not drift."""
    for name, (target, summary) in COMMANDS.items():
        module_name, function_name = target.split(":")
        function = getattr(importlib.import_module(module_name), function_name)
        first_paragraph = " ".join((function.__doc__ or "").strip().split("\n\n")[0].split())
        assert first_paragraph == summary, name  # what click shows as the command's help, wrapped lines joined


def test_every_command_loads_and_answers_help(capsys: pytest.CaptureFixture) -> None:
    for name in COMMANDS:
        assert main([name, "--help"]) == 0, name
        assert "Usage" in capsys.readouterr().out


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture) -> None:
    assert main([]) == 0
    assert "Commands" in capsys.readouterr().out


def _exits_3() -> None:
    """Stop with exit code 3."""
    raise typer.Exit(3)


def _raises_os_error() -> None:
    """Raise the OSError named by $ZSPACE_TEST_ERRNO."""
    number = int(os.environ["ZSPACE_TEST_ERRNO"])
    raise OSError(number, os.strerror(number), "/data/out/images.npy")


def _with_command(monkeypatch: pytest.MonkeyPatch, function) -> None:
    monkeypatch.setitem(COMMANDS, "probe", (f"{__name__}:{function.__name__}", "A test command."))


def test_a_command_exit_code_is_returned_not_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_command(monkeypatch, _exits_3)
    assert main(["probe"]) == 3


@pytest.mark.parametrize(("number", "words"), [
    (errno.ENOSPC, "the disk is full"),
    (errno.EDQUOT, "quota"),
    (errno.EFBIG, "file-size limit"),
    (errno.EEXIST, "already exists"),
    (errno.EISDIR, "is a folder where a file was expected"),
    (errno.ENOTDIR, "a file where a folder was expected"),
    (errno.EACCES, "may not read or write"),
    (errno.EPERM, "the system refuses"),
    (errno.EROFS, "read-only"),
    (errno.ENOENT, "check the path"),
    (errno.EIO, "Input/output error"),
])
def test_os_errors_name_their_real_cause(number: int, words: str, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture) -> None:
    _with_command(monkeypatch, _raises_os_error)
    monkeypatch.setenv("ZSPACE_TEST_ERRNO", str(number))
    assert main(["probe"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("zspace: error: /data/out/images.npy: " + os.strerror(number)), err
    assert words in err
    assert "written whole or not at all" in err
    assert "nothing written so far was replaced" not in err  # a claim zspace cannot know to be true
    if number not in (errno.ENOSPC, errno.EDQUOT):
        assert "free some space" not in err


def test_os_error_line_without_a_file_name() -> None:
    line = cli.os_error_line(OSError(errno.ENOSPC, "No space left on device"))
    assert line.startswith("zspace: error: No space left on device (the disk is full)")

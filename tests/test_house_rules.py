"""House rules of docs/design.md that code review alone does not keep (issue 19, point 5 and the layers).

The library never names a command-line flag: its messages speak of values and parameters in
words, and the CLI adds the flags from one table (``zspace.cli.flags``). Analysis and training
never import the report.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from zspace.cli.flags import FLAGS, REPORT_COMMANDS, error_line
from zspace.cli.main import COMMANDS, load_command, main
from zspace.config import TrainConfig
from zspace.errors import ZspaceError

PACKAGE = Path(__file__).parents[1] / "src" / "zspace"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")  # --lr, --batch-size; not "---" or "a--b"


def modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PACKAGE / folder).rglob("*.py"))


def test_no_module_outside_cli_names_a_flag() -> None:
    """Every string literal (docstrings and f-string parts included; comments are not strings) of every
    module outside cli/: the grep of the issue, ``["'][^"']*--[a-z][a-z-]+``, done on the parsed strings
    so that a flag on a later line of a docstring is found too."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in FLAG.finditer(node.value):
                    line = node.lineno + node.value.count("\n", 0, match.start())
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {match.group()}")
    assert not found, ("the library names command-line flags (say it in words, pass options= to ZspaceError "
                       "and map it in zspace/cli/flags.py):\n" + "\n".join(found))


def _imported(node: ast.AST, package: str) -> list[str]:
    """Absolute names of what ``node`` imports (relative imports resolved against ``package``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
        module = ".".join(base + ([node.module] if node.module else []))
        return [module] + [f"{module}.{alias.name}" for alias in node.names]
    if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return [node.args[0].value]
    return []


def report_imports(*folders: str) -> list[str]:
    """``path:line: module`` of every import of zspace.report, at module level or inside a function."""
    found = []
    for path in modules(*folders):
        # the package a relative import starts from: the module's folder (an __init__'s too)
        package = ".".join(path.relative_to(PACKAGE.parent).parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node, package):
                if name == "zspace.report" or name.startswith("zspace.report."):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {name}")
                    break
    return found


def test_analysis_and_training_never_import_the_report() -> None:
    found = report_imports("analysis", "training")
    assert not found, "layers run backwards (analysis/training -> report):\n" + "\n".join(found)


def test_the_import_check_sees_every_form(tmp_path: Path) -> None:
    source = ("import zspace.report.grids\nfrom zspace import report\nfrom ..report.figures import f\n"
              "def late():\n    from zspace.report.embed import embed_png\n"
              "    importlib.import_module('zspace.report.build')\nimport zspace.reporting\n")
    tree = ast.parse(source)
    names = [n for node in ast.walk(tree) for n in _imported(node, "zspace.analysis")]
    hits = {n for n in names if n == "zspace.report" or n.startswith("zspace.report.")}
    assert hits >= {"zspace.report.grids", "zspace.report", "zspace.report.figures", "zspace.report.embed",
                    "zspace.report.build"}
    assert "zspace.reporting" not in hits


def test_a_library_error_names_the_value_in_words_and_its_option() -> None:
    with pytest.raises(ZspaceError) as caught:
        TrainConfig(learning_rate=-1.0)
    assert str(caught.value) == "learning rate -1.0: must be positive"
    assert caught.value.options == ("learning_rate",)
    assert error_line(caught.value) == "zspace: error: learning rate -1.0: must be positive (--lr)"
    # an option the CLI has no flag for is left out; none at all: the message alone
    assert error_line(ZspaceError("x: bad", options=("force", "no_such_option"))) == "zspace: error: x: bad (--force)"
    assert error_line(ZspaceError("x: bad")) == "zspace: error: x: bad"


def test_every_flag_of_the_table_is_an_option_of_a_command() -> None:
    spelled = {opt for name in COMMANDS for param in load_command(name).params for opt in param.opts}
    assert set(FLAGS.values()) <= spelled, sorted(set(FLAGS.values()) - spelled)


def test_every_missing_part_of_the_report_has_a_command() -> None:
    keys = {match for path in modules("report")
            for match in re.findall(r"missing_key = \"([a-z_]+)\"", path.read_text(encoding="utf-8"))}
    assert keys and keys <= set(REPORT_COMMANDS), sorted(keys - set(REPORT_COMMANDS))


def one_error_line(capsys: pytest.CaptureFixture, *argv: object) -> str:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(("flag", "value", "words"), [
    ("--lr", "-1", "learning rate -1.0: must be positive (--lr)"),
    ("--batch-size", "0", "batch size 0: must be at least 1 (--batch-size)"),
])
def test_the_cli_names_the_flag_of_a_bad_value(flag: str, value: str, words: str, faces_cache: Path,
                                               tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = one_error_line(capsys, "train", faces_cache, "--out", tmp_path / "run", flag, value)
    assert line == f"zspace: error: {words}"
    assert not (tmp_path / "run").exists()


def test_the_cli_names_the_flags_that_fix_an_existing_output(faces_cache: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    line = one_error_line(capsys, "prepare", "digits", "--count", "10", "--out", faces_cache)
    assert line == (f"zspace: error: {faces_cache}: folder already exists; choose another output path, "
                    "or replace it with force (--out, --force)")


def function_level_imports_without_a_reason() -> list[str]:
    """Imports inside functions that no comment explains: a run of consecutive import statements needs a
    comment on one of its lines or on the line just above it."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        spans = sorted({(inner.lineno, inner.end_lineno or inner.lineno)
                        for node in ast.walk(ast.parse("\n".join(lines)))
                        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                        for inner in ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)})
        blocks: list[list[int]] = []
        for start, end in spans:
            if blocks and all(not text.strip() for text in lines[blocks[-1][1]:start - 1]):  # blank lines only
                blocks[-1][1] = end
            else:
                blocks.append([start, end])
        for start, end in blocks:
            above = lines[start - 2].strip() if start > 1 else ""
            if "#" not in above and not any("#" in text for text in lines[start - 1:end]):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{start}: {lines[start - 1].strip()}")
    return found


def test_imports_inside_functions_say_why() -> None:
    """Issue 19: an import inside a function only where it keeps start-up fast or the package optional, said so."""
    found = function_level_imports_without_a_reason()
    assert not found, "imports inside functions without a comment saying why:\n" + "\n".join(found)

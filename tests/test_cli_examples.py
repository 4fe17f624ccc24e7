"""Every command's --help ends with examples, and every example is a command line its command accepts.

Parsing goes through click itself (make_context): an unknown flag, a missing argument or a value of the
wrong type fails here as it would for a user. That they also run was checked by hand on a small run (the
closing note of issue 23); running them all is a few minutes of training, too slow for the suite.
"""

from __future__ import annotations

import pytest

from zspace.cli.examples import EXAMPLES, command_line
from zspace.cli.main import COMMANDS, load_command, main

EXAMPLE_LINES = [(name, line) for name, lines in EXAMPLES.items() for line in lines]


def test_every_command_has_examples() -> None:
    assert set(EXAMPLES) == set(COMMANDS)
    assert all(EXAMPLES[name] for name in COMMANDS)


@pytest.mark.parametrize(("name", "line"), EXAMPLE_LINES)
def test_each_example_is_accepted_by_its_command(name: str, line: str) -> None:
    assert line.startswith(f"zspace {name}") and len(line) <= 76  # an 80-column help never wraps it
    command = load_command(name)
    arguments = command_line(line)[1:]
    context = command.make_context(f"zspace {name}", arguments)  # raises on an unknown flag or a bad value
    given = {param.name for param in command.params
             if context.get_parameter_source(param.name).name == "COMMANDLINE"}
    assert given or not arguments  # what the line sets reached the command (a bare `zspace demo` sets nothing)


@pytest.mark.parametrize("name", ["train", "analyze", "demo"])
def test_help_ends_with_the_examples(name: str, capsys: pytest.CaptureFixture) -> None:
    assert main([name, "--help"]) == 0
    shown = capsys.readouterr().out
    assert "Examples:" in shown
    after = shown.split("Examples:")[1]
    for line in EXAMPLES[name]:
        assert line in after

"""The zspace command: one sub-command per stage, user errors as one line and exit code 2.

Command modules are imported only when their command runs (or shows its own
``--help``): they pull in torch, matplotlib and scikit-learn, which take seconds,
while ``zspace --help`` and ``zspace --version`` need none of it. The one-line
help of each command is kept here; a test checks it against the command's docstring.

SIGINT (Ctrl-C) and SIGTERM raise :class:`zspace.errors.Interrupted` while a
command runs; stages add what they kept to it, and :func:`main` prints one line
and returns 128 + the signal number (130, 143), so a script checking ``$?``
never takes a stopped run for a finished one.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from zspace.cli.examples import epilog
from zspace.cli.flags import error_line
from zspace.errors import Interrupted, ZspaceError

# name -> ("module:function", one-line help shown by `zspace --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "prepare": ("zspace.cli.prepare:prepare",
                "Prepare a data source once into a uint8 image cache (images.npy + index.csv + dataset.json)."),
    "train": ("zspace.cli.train:train",
              "Train a convolutional AE or VAE on an image cache (Lightning; weights in safetensors)."),
    "import": ("zspace.cli.imports:import_model",
               "Bring your own trained autoencoder (your module, or a diffusers VAE) into a run folder."),
    "encode": ("zspace.cli.encode:encode",
               "Encode every image of a cache: latents.npy (N x d, the mean for a VAE) and logvar.npy."),
    "analyze": ("zspace.cli.analyze:analyze",
                "Measure a latent space: components, radius, exact correlation, PCA, planes, t-SNE; "
                "metrics.json + figures."),
    "generate": ("zspace.cli.generate:generate",
                 "Sample latent points and decode them into grids (seed S16-S18, X2), or sweep, move, interpolate."),
    "compare": ("zspace.cli.compare:compare",
                "Originals and their reconstructions by two runs, one labelled row each (seed S19)."),
    "evaluate": ("zspace.cli.evaluate:evaluate",
                 "Sample quality of each sampler of run folders, or between two feature arrays (FD, KID, PRDC)."),
    "explore": ("zspace.cli.explore:explore",
                "A local web explorer of latent maps: hover a face, click empty space to decode it, lasso, "
                "neighbours; several runs of the same images side by side, linked."),
    "export": ("zspace.cli.export:export",
               "One table of a run for other tools: row, map coordinates, latent vector, index columns, PNG image."),
    "report": ("zspace.cli.report:report",
               "One self-contained HTML report of a run: the seed's story for your model, figures embedded, offline."),
    "verify": ("zspace.cli.verify:verify",
               "Check a cache: image count, shape, index rows, split sizes and checksum."),
    "demo": ("zspace.cli.demo:demo",
             "The tour: synthetic faces -> VAE and AE -> latents -> N(0,I) decoded by each "
             "(the VAE draws faces, the AE mostly not)."),
}
SIGNAL_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}


def load_command(name: str) -> Any:
    """Import the command module of ``name`` and turn its function into a click command."""
    module_name, function_name = COMMANDS[name][0].split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    single.command(name, epilog=epilog(name))(function)  # the examples end its --help
    return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """A command group that lists every command but imports one only when it is used."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):  # whole sentences, wrapped: never cut mid-word
            formatter.write_dl([(name, text) for name, (_, text) in COMMANDS.items()])


def _version(value: bool) -> None:
    if value:
        # only for the version string
        import zspace

        typer.echo(f"zspace {zspace.__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    name="zspace",
    cls=LazyGroup,
    help="Latent spaces of autoencoders: prepare data, train AE/VAE, encode, measure, sample, decode.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich would import every command to draw its table
)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                       help="Print the version and exit.")) -> None:
    """Latent spaces of autoencoders: prepare data, train AE/VAE, encode, measure, sample, decode."""


_OWNER = {"pid": -1}  # the process that installed the handlers


def _raise_interrupted(signal_number: int, frame: object) -> None:
    if os.getpid() != _OWNER["pid"]:
        # A forked worker (a DataLoader's, a Pool's) inherited this handler: behave as Python's
        # defaults, which such workers expect (they end quietly on KeyboardInterrupt).
        if signal_number == signal.SIGINT:
            raise KeyboardInterrupt
        signal.signal(signal_number, signal.SIG_DFL)
        os.kill(os.getpid(), signal_number)
        return
    raise Interrupted(signal_number)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted inside the block; the previous handlers come back after it."""
    if threading.current_thread() is not threading.main_thread():  # signals go to the main thread only
        yield
        return
    _OWNER["pid"] = os.getpid()
    # A signal ignored by whoever started us (nohup, `cmd &` in a script) stays ignored.
    previous = {number: signal.signal(number, _raise_interrupted) for number in SIGNAL_NAMES
                if signal.getsignal(number) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def interrupted_line(stop: Interrupted) -> str:
    name = SIGNAL_NAMES.get(stop.signal_number, f"signal {stop.signal_number}")
    kept = "; ".join(stop.kept) if stop.kept else "nothing (files are written whole or not at all)"
    return f"zspace: interrupted ({name}); kept: {kept}"


# errno -> (what it means, what to do)
OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free some space, or choose an output on another disk"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, or choose an output on another disk"),
    errno.EFBIG: ("larger than the filesystem or the process's file-size limit (ulimit -f) allows",
                  "choose an output on another filesystem, or raise the limit"),
    errno.EEXIST: ("something already exists at this path", "remove it, or choose another path"),
    errno.EISDIR: ("this is a folder where a file was expected", "give a file path"),
    errno.ENOTDIR: ("a part of this path is a file where a folder was expected", "check the path"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EACCES: ("this user may not read or write there", "choose a writable --out, or change the permissions"),
    errno.EPERM: ("the system refuses this here, e.g. a special or protected folder",
                  "choose a writable --out, or change the permissions"),
    errno.EROFS: ("the filesystem is read-only", "choose a writable --out"),
}


def os_error_line(err: OSError) -> str:
    """One line for an OSError: the path, the cause named from errno, and what to do."""
    where = f"{err.filename}: " if err.filename else ""
    reason = err.strerror or str(err) or type(err).__name__
    meaning, fix = OS_ERRORS.get(err.errno, (None, None))
    if meaning is None:
        return f"zspace: error: {where}{reason}; files are written whole or not at all"
    return f"zspace: error: {where}{reason} ({meaning}); {fix}. Files are written whole or not at all"


def _say_user_code(line: str) -> None:
    typer.echo(f"zspace: {line}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: a ZspaceError or OSError is one line and code 2, a stop by signal 128 + its number."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.usercode import on_user_code

    on_user_code(_say_user_code)  # importing a user's file runs it: say which, once
    try:
        with signals_interrupt():
            result = typer.main.get_command(app).main(args=argv, prog_name="zspace", standalone_mode=False)
    except Interrupted as stop:
        print(interrupted_line(stop), file=sys.stderr)
        return 128 + stop.signal_number
    except ZspaceError as err:
        print(error_line(err), file=sys.stderr)
        return 2
    except OSError as err:
        print(os_error_line(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # raised by code outside our handler (e.g. a library that re-raises)
        print(interrupted_line(Interrupted(signal.SIGINT)), file=sys.stderr)
        return 128 + signal.SIGINT
    except typer.Abort:  # click's answer to EOF on a prompt
        print("zspace: aborted", file=sys.stderr)
        return 1
    except TyperException as err:  # usage errors: unknown option, missing argument, bad value
        if type(err).__name__ == "NoArgsIsHelpError":  # plain `zspace`: the help, on stdout like --help
            typer.echo(err.ctx.get_help())
            return 0
        print(f"zspace: error: {err.format_message()} (see --help)", file=sys.stderr)
        return int(getattr(err, "exit_code", 2))
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())

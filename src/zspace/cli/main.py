"""The zspace command: one sub-command per stage, user errors as one line and exit code 2."""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from zspace.cli.analyze import analyze
from zspace.cli.compare import compare
from zspace.cli.demo import demo
from zspace.cli.encode import encode
from zspace.cli.generate import generate
from zspace.cli.prepare import prepare
from zspace.cli.train import train
from zspace.cli.verify import verify
from zspace.errors import ZspaceError

app = typer.Typer(
    name="zspace",
    help="Latent spaces of autoencoders: prepare data, train AE/VAE, encode, measure, sample, decode.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(prepare)
app.command()(train)
app.command()(encode)
app.command()(analyze)
app.command()(generate)
app.command()(compare)
app.command()(verify)
app.command()(demo)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a ZspaceError becomes one line on stderr and exit code 2."""
    try:
        app(args=argv, standalone_mode=False)
    except ZspaceError as err:
        print(f"zspace: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a read-only folder, a file too large for the filesystem
        where = f"{err.filename}: " if err.filename else ""
        print(f"zspace: error: {where}{err.strerror or err}; free some space or choose a writable --out "
              "(nothing written so far was replaced)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("zspace: interrupted", file=sys.stderr)
        return 130
    except typer.Exit as done:
        return done.exit_code
    except TyperException as err:  # usage errors: unknown option, missing argument, bad value
        if type(err).__name__ == "NoArgsIsHelpError":
            err.show()
            return 0
        print(f"zspace: error: {err.format_message()} (see --help)", file=sys.stderr)
        return int(getattr(err, "exit_code", 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

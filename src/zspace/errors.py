"""The one exception type a user can cause.

Library functions raise :class:`ZspaceError` for bad input (a missing file, a
value out of range, a weights file that does not match its config). The message
is one line that names the file or value and says what to do. The CLI turns it
into that line on stderr and exit code 2, never a traceback.

A message speaks of values and parameters in words ("learning rate -1.0: must be
positive"), never of command-line flags: ``options`` names the parameters it is
about (``"learning_rate"``), and the CLI adds the flags that set them (one table,
``zspace.cli.flags``).
"""

from collections.abc import Iterable


class ZspaceError(Exception):
    """A user error: bad input, with a one-line message that says what to do."""

    def __init__(self, message: str, *, options: str | Iterable[str] = ()) -> None:
        # Keep it on one line whatever the caller wrote.
        super().__init__(" ".join(str(message).split()))
        # The parameters (library names, e.g. "learning_rate", "force") that would fix it.
        self.options: tuple[str, ...] = (options,) if isinstance(options, str) else tuple(options)


class Interrupted(BaseException):
    """The user stopped the program (SIGINT: Ctrl-C, or SIGTERM).

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` (ours,
    Lightning's, click's) swallows it. A stage that keeps something usable adds a
    line to ``kept`` and re-raises; the CLI prints one line and exits 128 + signal
    (130 for SIGINT, 143 for SIGTERM).
    """

    def __init__(self, signal_number: int, kept: list[str] | None = None) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number
        self.kept: list[str] = list(kept or [])

"""Start test subprocesses with SIGINT and SIGTERM at their defaults, as in a terminal.

A shell script that starts a command in the background (``cmd &`` without job control, as CI
runners and nohup wrappers may do) makes it ignore SIGINT, and zspace rightly keeps a signal the
user chose to ignore. The stop tests stand for a user pressing Ctrl-C at a terminal, so their
subprocesses get the terminal's dispositions back, whatever the test runner inherited.
"""

from __future__ import annotations

import signal


def default_signals() -> None:
    """``preexec_fn`` for subprocess.Popen: SIGINT and SIGTERM as a terminal gives them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

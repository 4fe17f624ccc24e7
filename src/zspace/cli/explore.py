"""zspace explore RUN [RUN ...] [--map tsne|pca|umap] [--port P] [--host H [--allow-remote]]"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import time
from pathlib import Path

import typer

from zspace.errors import ZspaceError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything is opened: a port in use is one line, not uvicorn's error
    after the URL of whatever else listens there. Bound as uvicorn binds (SO_REUSEADDR) and listening, so no
    other program can take the port while the run opens; then handed to uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except socket.gaierror:
        sock.close()
        raise ZspaceError(f"--host {host}: no address of that name; give an address of this machine, "
                          "e.g. 127.0.0.1") from None
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise ZspaceError(f"--port {port}: {host}:{port} is already in use (another explorer, or another "
                              f"program); choose a free port, e.g. --port {port + 1 if port < 65535 else 8765}, "
                              "or stop what holds it") from None
        if err.errno in (errno.EACCES, errno.EPERM):
            raise ZspaceError(f"--port {port}: this user may not listen on it (ports below 1024 need root); "
                              "choose a port from 1024 up, e.g. --port 8765") from None
        if err.errno == errno.EADDRNOTAVAIL:
            raise ZspaceError(f"--host {host}: not an address of this machine; give one of its addresses, "
                              "e.g. 127.0.0.1") from None
        raise
    sock.listen(2048)  # uvicorn's backlog: a browser that connects while the run opens waits, then is served
    return sock


def check_runs(runs: list[Path]) -> None:
    """1 to 4 distinct run folders, or one line saying what is wrong."""
    # the explorer's library loads when the command runs, so zspace --help stays fast
    from zspace.explore.runs import MAX_RUNS

    if not 1 <= len(runs) <= MAX_RUNS:
        raise ZspaceError(f"{len(runs)} runs given: the explorer shows 1 to {MAX_RUNS} runs side by side")
    seen: dict[Path, Path] = {}
    for run in runs:
        key = run.resolve()
        if key in seen:
            raise ZspaceError(f"{run}: given twice (as {seen[key]} and {run}); give each run once")
        seen[key] = run


def explore(
    runs: list[Path] = typer.Argument(..., help="Run folders with latents (zspace encode), 1 to 4, shown side by "
                                      "side and linked when they encoded the same images; analysis optional."),
    map_method: str = typer.Option(None, "--map", help="Map shown first: tsne, pca or umap "
                                   "(default: the saved t-SNE/UMAP map, else PCA)."),
    port: int = typer.Option(8765, help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on; anything but loopback needs --allow-remote."),
    allow_remote: bool = typer.Option(False, "--allow-remote",
                                      help="Allow a --host other than loopback (the explorer has no login)."),
    device: str = typer.Option("cpu", help="Torch device for decoding, e.g. cpu or cuda:0."),
) -> None:
    """A local web explorer of latent maps: hover a face, click empty space to decode it, lasso, neighbours;
    several runs of the same images side by side, linked."""
    # the library loads when the command runs, so zspace --help stays fast
    import uvicorn

    from zspace.devices import resolve_device
    from zspace.explore.app import LOOPBACK_HOSTS, create_app
    from zspace.explore.data import open_explorer
    from zspace.explore.runs import RunSet

    check_runs(runs)
    if not 1 <= port <= 65535:
        raise ZspaceError(f"--port {port}: choose a port between 1 and 65535")
    loopback = is_loopback(host)
    if not loopback and not allow_remote:
        raise ZspaceError(f"--host {host} is not a loopback address: anyone who can reach it could use the explorer "
                          "(it has no login); add --allow-remote if that is what you want")
    resolve_device(device)
    sock = listening_socket(host, port)  # held from here on: no other program can take the port meanwhile
    opened = []
    try:
        for run in runs:
            started = time.monotonic()
            data = open_explorer(run, map_method, device=device)
            opened.append(data)
            typer.echo(f"{run}: {data.count:,} latent vectors of dimension {data.dim}; maps: {', '.join(data.maps)} "
                       f"(opened in {time.monotonic() - started:.1f} s)")
            for note in data.notes:
                typer.echo(f"note: {note}")
        served = RunSet(opened)
        if len(opened) > 1:
            link = served.link
            typer.echo(f"{'linked' if link.linked else 'not linked'}: {link.note}")
    except BaseException:
        sock.close()
        raise
    for data in opened:
        threading.Thread(target=data.warm_up, name="explore-warm-up", daemon=True).start()
    app = create_app(served, LOOPBACK_HOSTS if loopback else None)
    if not loopback:
        typer.echo(f"warning: serving {', '.join(map(str, runs))} on {host}:{port} to every machine that can reach "
                   "it; the explorer has no login and decodes on request", err=True)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"explorer at http://{shown}:{port}/  (Ctrl-C stops it)")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    server.run(sockets=[sock])

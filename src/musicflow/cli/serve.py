"""`musicflow serve`: the HTTP API under uvicorn, one process (see the README for several workers)."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Annotated

import typer

from musicflow.app.vocabulary import DEFAULT_PROFILE
from musicflow.cli.common import ProfileOption, reports_errors, state_of

if TYPE_CHECKING:
    import socket

    from musicflow.app.access import AccessMode
    from musicflow.config import Settings


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach the address (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def access_mode(settings: Settings, host: str, *, open_flag: bool) -> AccessMode:
    """Whether the server asks for tokens: always where others may reach it (another address, or a proxy
    in front of loopback), unless told it is open (`--open`, `api_access=open`)."""
    if open_flag or settings.api_access == "open":
        return "open"
    if settings.api_access == "tokens":
        return "tokens"
    return "open" if is_loopback(host) and not settings.api_trusted_proxies else "tokens"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@reports_errors
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    profile: ProfileOption = DEFAULT_PROFILE,
    open_access: Annotated[
        bool,
        typer.Option(
            "--open",
            help="Answer without tokens even on an address others can reach (anyone there reads every"
            " profile).",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (predictions, features, models) and the web page; Ctrl-C or SIGTERM stops it.

    On this machine's own address (the default) anyone who can reach it is you: no token is asked. On any
    other address every route but the health probes asks for a token (`musicflow tokens create`), and a
    token reaches its own profile only, unless --open."""
    import logging
    import signal
    import sys

    import uvicorn

    from musicflow.api.app import create_app
    from musicflow.api.middleware import print_access_log
    from musicflow.app.service import MusicFlow

    state = state_of(ctx)
    access = access_mode(state.settings, host, open_flag=open_access)
    listening = bound(host, port)  # before anything is said or loaded: a port in use is said at once
    # A store that cannot be opened (its database down, a wrong password, one a newer MusicFlow made) is
    # said in one line (exit 1), not in the traceback of a server that failed to start.
    MusicFlow.open(state.settings).close()
    api = create_app(state.settings, profile=profile, access=access)
    if access == "tokens":
        state.err.print(
            f"Serving on http://{host}:{port} (API docs at /docs); every listener signs in with their own"
            " token (`musicflow tokens create --profile NAME`)",
            highlight=False,
        )
    else:
        state.err.print(
            f"Serving profile '{profile}' on http://{host}:{port} (API docs at /docs)", highlight=False
        )
    proxied = bool(state.settings.api_trusted_proxies)
    if access == "open" and not (is_loopback(host) and not proxied):
        state.err.print(
            f"[bold yellow]warning:[/] open on {host}{' behind a proxy' if proxied else ''}: anyone who"
            " reaches it reads and deletes every profile's data, with no token"
        )
    # uvicorn's access log names each client's address: ours (musicflow.api.access) does not.
    print_access_log()
    level = logging.getLogger().getEffectiveLevel()
    # uvicorn shuts down gracefully on SIGTERM, then raises it again: that second one is a clean exit.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    # Who the client is, and which proxies may say so, is the API's own setting (api_trusted_proxies):
    # uvicorn would otherwise take any X-Forwarded-For sent from loopback as the client's address.
    config = uvicorn.Config(
        api,
        host=host,
        port=port,
        workers=1,
        access_log=False,
        log_config=None,
        log_level=level,
        proxy_headers=False,
    )
    uvicorn.Server(config).run(sockets=[listening])


def bound(host: str, port: int) -> socket.socket:
    """A socket listening on `host`:`port` for the server to take; a port another program holds, or an
    address this machine does not have, is a `ConfigError` saying so (exit 2), before "Serving ..."."""
    import socket

    from musicflow.errors import ConfigError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses
    listening = socket.socket(family, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn sets it
        listening.bind((host, port))
        listening.listen(2048)
    except OSError as refused:
        listening.close()
        if refused.errno == errno.EADDRINUSE:
            why = "another program uses that port; choose another with --port, or stop that program"
        else:
            why = refused.strerror or str(refused)
        raise ConfigError(f"cannot listen on {host}:{port}: {why}") from None
    listening.set_inheritable(True)
    return listening

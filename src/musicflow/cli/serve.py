"""`musicflow serve`: the HTTP API under uvicorn, one process (see the README for several workers)."""

from __future__ import annotations

from typing import Annotated

import typer

from musicflow.app.vocabulary import DEFAULT_PROFILE
from musicflow.cli.common import ProfileOption, reports_errors, state_of


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
) -> None:
    """Serve the HTTP API (predictions, features, models) and the web page; Ctrl-C or SIGTERM stops it."""
    import logging
    import signal
    import sys

    import uvicorn

    from musicflow.api.app import create_app
    from musicflow.api.middleware import print_access_log

    state = state_of(ctx)
    api = create_app(state.settings, profile=profile)
    state.err.print(
        f"Serving profile '{profile}' on http://{host}:{port} (API docs at /docs)", highlight=False
    )
    # uvicorn's access log names each client's address: ours (musicflow.api.access) does not.
    print_access_log()
    level = logging.getLogger().getEffectiveLevel()
    # uvicorn shuts down gracefully on SIGTERM, then raises it again: that second one is a clean exit.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    # Who the client is, and which proxies may say so, is the API's own setting (api_trusted_proxies):
    # uvicorn would otherwise take any X-Forwarded-For sent from loopback as the client's address.
    uvicorn.run(
        api,
        host=host,
        port=port,
        workers=1,
        access_log=False,
        log_config=None,
        log_level=level,
        proxy_headers=False,
    )

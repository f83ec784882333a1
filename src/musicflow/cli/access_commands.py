"""Commands about who may reach a listener's data: `tokens create|list|revoke` and `profile delete`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from musicflow.app.version_refs import MAX_NUMBER
from musicflow.cli.common import (
    NumberArgumentCommand,
    TableOrJson,
    TableOrJsonOption,
    numbered_from_one,
    plain_text,
    profile_option,
    reports_errors,
    state_of,
    usage_error,
    write_json,
)
from musicflow.cli.render import moment
from musicflow.core.plurals import counted
from musicflow.core.timezone import iso_utc

ScopeOption = Annotated[
    str,
    typer.Option(
        "--scope", metavar="read|write", help="read: every question; write: also change or delete the data."
    ),
]


def register(app: typer.Typer) -> None:
    tokens = typer.Typer(
        help="Access tokens: on a server reached by others, each listener reaches only their own profile.",
        no_args_is_help=True,
    )
    tokens.command("create")(tokens_create)
    tokens.command("list")(tokens_list)
    tokens.command("revoke", cls=NumberArgumentCommand)(tokens_revoke)
    app.add_typer(tokens, name="tokens")
    profile = typer.Typer(help="A listener's profile and all of its data.", no_args_is_help=True)
    profile.command("delete")(profile_delete)
    app.add_typer(profile, name="profile")


@reports_errors
def tokens_create(
    ctx: typer.Context,
    profile: Annotated[
        str,
        profile_option("Whose data the token reaches."),
    ],
    scope: ScopeOption = "read",
    days: Annotated[
        float | None, typer.Option("--days", min=0.001, help="Valid this many days (default: until revoked).")
    ] = None,
    output: TableOrJsonOption = TableOrJson.TABLE,
) -> None:
    """Make a token for a profile (made empty, ready for an upload, if new); it is shown this once only."""
    if scope not in ("read", "write"):
        raise usage_error(ctx, f"--scope is read or write, not '{scope}'")
    state = state_of(ctx)
    with state.app() as app:
        made = app.create_token(profile, scope, days=days)
    if output is TableOrJson.JSON:
        write_json(
            {"id": made.stored.id, "profile": profile, "scope": made.stored.scope, "token": made.token}
        )
        return
    state.err.print(
        f"Token {made.stored.id} for profile '{profile}' ({made.stored.scope}). Keep it now: it is not"
        " stored and cannot be shown again. Send it as `Authorization: Bearer <token>`.",
        highlight=False,
    )
    sys.stdout.write(made.token + "\n")


@reports_errors
def tokens_list(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        profile_option("Only this profile's tokens."),
    ] = None,
    output: TableOrJsonOption = TableOrJson.TABLE,
) -> None:
    """Every token (never the token itself): its number, profile, scope, and when it was made or revoked."""
    from rich.table import Table

    state = state_of(ctx)
    with state.app(create=False) as app:
        found = app.tokens(profile)
    # For a program, ISO 8601 in UTC as every command's JSON gives a time; to the minute in the table.
    when = iso_utc if output is TableOrJson.JSON else moment
    records = [
        {
            "id": token.id,
            "profile": token.profile,
            "scope": token.scope,
            "created": when(token.created_at),
            "revoked": when(token.revoked_at) if token.revoked_at is not None else None,
            "expires": when(token.expires_at) if token.expires_at is not None else None,
        }
        for token in found
    ]
    if output is TableOrJson.JSON:
        write_json(records)
        return
    if not records:
        state.out.print("No token yet: `musicflow tokens create --profile NAME` makes one.", highlight=False)
        return
    table = Table(title="Access tokens")
    columns = ("id", "profile", "scope", "created", "expires", "revoked")
    for column in columns:
        table.add_column(column, no_wrap=True, justify="right" if column == "id" else "left")
    for record in records:
        table.add_row(*(str(record[key] or "") for key in columns))
    state.out.print(table)


@reports_errors
def tokens_revoke(
    ctx: typer.Context,
    token_id: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            callback=numbered_from_one("token", "musicflow tokens list", MAX_NUMBER),
            help="The token's number (see `tokens list`).",
        ),
    ],
) -> None:
    """Revoke a token: from now on it opens nothing (a server checks every request)."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        revoked = app.revoke_token(token_id)
    state.out.print(
        f"Token {revoked.id} of profile '{revoked.profile}' is revoked ({moment(revoked.revoked_at)}).",
        highlight=False,
    )


@reports_errors
def profile_delete(
    ctx: typer.Context,
    name: Annotated[
        str,
        # Not `profile_name`: a profile made before names were checked (an empty one) can still go.
        typer.Argument(metavar="NAME", callback=plain_text, help="The profile to delete."),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    output: TableOrJsonOption = TableOrJson.TABLE,
) -> None:
    """Delete a profile and all of its data: plays, the songs only it played, models, tokens. For good."""
    from musicflow.errors import ProfileNotFoundError

    state = state_of(ctx)
    if not yes and not sys.stdin.isatty():
        raise usage_error(ctx, "deleting a profile cannot be undone: add --yes to confirm")
    with state.app(create=False) as app:
        known = app.profiles()
        if name not in known:  # nothing to delete, nor to ingest: said before asking
            raise ProfileNotFoundError(f"there is no profile '{name}'", profile=name, known=known)
        if not yes:
            typer.confirm(f"Delete profile '{name}' and all of its data? This cannot be undone", abort=True)
        erased = app.delete_profile(name)
    if output is TableOrJson.JSON:
        write_json(erased.as_document())
        return
    gone = erased.stored
    state.out.print(
        f"Deleted profile '{name}': {counted(gone.plays, 'play')}, {counted(gone.tracks, 'song')} only it"
        f" played (with their features), {counted(gone.model_versions, 'model version')}"
        f" ({counted(erased.model_files, 'file')}), {counted(gone.tokens, 'token')},"
        f" {counted(gone.library_entries, 'library entry', 'library entries')}.",
        highlight=False,
    )
    if erased.other_versions_unnamed:
        state.out.print(
            f"{counted(erased.other_versions_unnamed, 'model version')} of other listeners, which read its"
            " plays with their store's, no longer name it in what they learned from.",
            highlight=False,
        )

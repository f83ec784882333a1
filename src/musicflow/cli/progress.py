"""One progress bar for every long command: bytes of an export, tracks of a fetch, files of a folder.

It speaks the small progress protocols of the library (`start(label, total)`, `advance(amount, label)`)
so the library never imports Rich; it is silent when the output is not a terminal.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from musicflow.cli import interrupt_pending

LABEL_WIDTH = 40


class Bar:
    def __init__(self, console: Console, *, bytes_: bool = False) -> None:
        amount: ProgressColumn = DownloadColumn() if bytes_ else MofNCompleteColumn()
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            amount,
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,  # not even the blank line a stopped display leaves
        )
        self._task: TaskID | None = None

    def __enter__(self) -> Bar:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def start(self, label: str, total: int) -> None:
        self._task = self._progress.add_task(short(label), total=total)

    def advance(self, amount: int, label: str | None = None) -> None:
        if interrupt_pending():  # a Ctrl-C Python swallowed where it landed: raised again here
            raise KeyboardInterrupt
        if self._task is not None:
            description = short(label) if label else None
            self._progress.update(self._task, advance=amount, description=description)

    def files_done(self, done: int, total: int, label: str) -> None:
        """For work that reports how far it is rather than how much it just did."""
        if interrupt_pending():
            raise KeyboardInterrupt
        if self._task is None:
            self.start(label, total)
        assert self._task is not None
        self._progress.update(self._task, completed=done, description=short(label))


def short(label: str, width: int = LABEL_WIDTH) -> str:
    """The last part of a path or an archive member name, cut to fit."""
    name = label.rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    return name if len(name) <= width else "…" + name[-width + 1 :]

"""The `musicflow` command: thin wiring from arguments to the library, and Rich output for people."""

from musicflow.cli.app import app, main

__all__ = ["app", "main"]

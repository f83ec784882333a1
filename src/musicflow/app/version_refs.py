"""Version references as a front end reads them ("3", "v3", "champion"), checked before the store is asked:
one that names no version raises the application's `ModelError`, with the words every front end shows."""

from musicflow.model.refs import VersionRef, parse_number, parse_ref

__all__ = ["VersionRef", "parse_number", "parse_ref"]

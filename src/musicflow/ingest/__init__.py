"""Ingest: a listener's Spotify data export in, plays (and per-track stream counts) out.

The entry point is `musicflow.ingest.ingesting.ingest_paths`.
"""

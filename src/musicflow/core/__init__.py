"""The core every layer may import: song identity, the feature table, plays, and the clock.

Nothing here imports any other part of MusicFlow except `musicflow.errors` and `musicflow.config`.
"""

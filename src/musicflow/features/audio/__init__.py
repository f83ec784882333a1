"""The user's own audio files as a feature source: find them, name their songs, measure them offline.

The public entry points are re-exported by `musicflow.features.audio_files`; the modules here are its parts.
"""

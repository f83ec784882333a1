"""The user's own audio files as a feature source, for songs no API knows.

    for result in analyze_folder(Path("~/Music").expanduser(), progress=show):
        if result.outcome is Outcome.ANALYSED: store(result.fingerprint, result.identity, result.record)

Finding files (`find_audio_files`), naming their songs from tags or paths (`read_identity`) and measuring
them offline with librosa (`analyze_file`) are usable on their own. See `audio/analysis.py` for what is
measured, and `audio/loudness.py` and `audio/estimates.py` for what the numbers mean exactly.
"""

from __future__ import annotations

from musicflow.features.audio.analysis import ANALYSIS_RATE, DEFAULT_MAX_SECONDS, SOURCE, analyze_file
from musicflow.features.audio.file_errors import AudioFileError, SongNotNamedError
from musicflow.features.audio.files import (
    ANALYSIS_VERSION,
    AUDIO_EXTENSIONS,
    file_fingerprint,
    find_audio_files,
    is_audio_file,
)
from musicflow.features.audio.folder import AnalysisResult, Outcome, Progress, analyze_folder
from musicflow.features.audio.identity import SongIdentity, read_identity

__all__ = [
    "ANALYSIS_RATE",
    "ANALYSIS_VERSION",
    "AUDIO_EXTENSIONS",
    "DEFAULT_MAX_SECONDS",
    "SOURCE",
    "AnalysisResult",
    "AudioFileError",
    "Outcome",
    "Progress",
    "SongIdentity",
    "SongNotNamedError",
    "analyze_file",
    "analyze_folder",
    "file_fingerprint",
    "find_audio_files",
    "is_audio_file",
    "read_identity",
]

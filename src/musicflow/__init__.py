"""MusicFlow: how much will I stream this song?"""

__version__ = "0.1.0"

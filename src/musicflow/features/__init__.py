"""Track features from pluggable sources (one module per source), cached in the store."""

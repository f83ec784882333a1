"""The application layer: the use cases every front end calls (CLI, HTTP API, web page, batch jobs).

`MusicFlow` (in `service.py`) is opened once from the settings and owns the store, the clock, the model
registry, the feature sources and the serving models; its methods return plain data for a front end to
render. Importing this package is cheap; the heavy libraries load when a use case first needs them.
"""

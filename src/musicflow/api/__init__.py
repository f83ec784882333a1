"""The HTTP API (FastAPI): the original MusicFlow routes and shapes, and what is added beside them.

Routes call the application layer's use cases, never the store; errors become HTTP statuses in
`errors.py` alone. `create_app` builds the app; `musicflow serve` runs it under uvicorn.
"""

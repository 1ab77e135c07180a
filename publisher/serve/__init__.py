"""`publisher serve`: an HTTP API and a page for clerks over the same library.

Starlette routes (app.py) read and check each request (inputs.py), hand renders to a bounded pool of
worker processes (pool.py, worker.py) and answer errors as JSON with field paths (responses.py). The
page for clerks is plain HTML, CSS and JavaScript in static/. Starlette and uvicorn are imported only
here, so the other commands never load them.
"""

from publisher.serve.config import ServeConfig

__all__ = ["ServeConfig"]

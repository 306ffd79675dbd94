"""No exception, BaseException included, leaves a request or a job unhandled.

Native extensions raise BaseException subclasses that are not Exception (a Rust panic in a
pyo3 package is a PanicException). Flask's error handlers and `except Exception` let them
through, and under gunicorn they end the worker with every request it had in flight. Only
the ways a process is asked to stop are let through."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from flask import Flask
from werkzeug.wrappers import Response

from campaign.core.security import add_security_headers

PROCESS_EXITS = (KeyboardInterrupt, SystemExit, GeneratorExit)

_BODY = "<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>\n"


class CatchBaseExceptions:
    """WSGI middleware around the Flask app: what escapes its error handlers answers a plain
    500 with the security headers instead of ending the worker."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            body = self.wsgi_app(environ, start_response)
        except PROCESS_EXITS:
            raise
        except BaseException:
            self.app.logger.exception("a request raised past the error handlers")
            with self.app.request_context(environ):
                response = add_security_headers(Response(_BODY, 500, mimetype="text/html"))
            return response(environ, start_response)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            return body  # a file sent as it is: keep the server's sendfile
        return _GuardedBody(self.app, body)


class _GuardedBody:
    """A streamed response (an export) can fail after its status was sent: it ends short."""

    def __init__(self, app: Flask, body: Iterable[bytes]):
        self.app = app
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.body:  # noqa: UP028 (yield from would close the body a second time)
                yield chunk
        except PROCESS_EXITS:
            raise
        except BaseException:
            self.app.logger.exception("a streamed response raised")

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            close()

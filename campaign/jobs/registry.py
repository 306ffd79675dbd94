"""Job handlers by name, so a job row (or an RQ message) needs only a name and JSON arguments."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable[..., dict | None]] = {}


def handler(name: str):
    """Register `function(**arguments)` as the handler of jobs called `name`."""

    def register(function: Callable[..., dict | None]):
        if name in HANDLERS and HANDLERS[name] is not function:
            raise RuntimeError(f"two handlers for job {name!r}")
        HANDLERS[name] = function
        return function

    return register

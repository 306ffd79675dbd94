"""Static files served by WhiteNoise under names that hold a hash of their content.

`url_for("static", filename="css/site.css")` gives `/static/css/site.<hash>.css`: a browser or
a proxy may keep it forever (`immutable`), since a changed file gets a new name. WhiteNoise
answers these requests before Flask sees them, from a table built once at start-up, so a
static file costs no app work. The plain names keep working with a short max-age."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

HASH_LENGTH = 12
_HASHED_URL = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}(\.[^./]+)?$")


def hashed_name(filename: str, content: bytes) -> str:
    """'css/site.css' -> 'css/site.0123456789ab.css'."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    path = Path(filename)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _is_hashed(_path: str, url: str) -> bool:
    return bool(_HASHED_URL.search(url))


def _nosniff(headers, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def serve_static(app: Flask) -> None:
    """Put WhiteNoise in front of the app for its static folder, and make url_for hand out the
    hashed names."""
    root = Path(app.static_folder)
    prefix = f"{app.static_url_path.rstrip('/')}/"
    server = WhiteNoise(
        app.wsgi_app,
        root=root,
        prefix=prefix,
        immutable_file_test=_is_hashed,
        add_headers_function=_nosniff,
        allow_all_origins=False,
    )
    manifest: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            filename = path.relative_to(root).as_posix()
            manifest[filename] = hashed_name(filename, path.read_bytes())
            server.add_file_to_dictionary(prefix + manifest[filename], str(path))
    app.wsgi_app = server

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

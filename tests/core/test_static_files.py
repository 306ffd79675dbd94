"""Static files: hashed names kept forever, served by WhiteNoise without the app (core.assets)."""

from __future__ import annotations

import re

from flask import request_started

from campaign.config import PROJECT_ROOT
from campaign.core.assets import hashed_name


def test_a_changed_file_gets_a_new_name():
    first = hashed_name("css/site.css", b"body { color: black }")
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", first)
    assert hashed_name("css/site.css", b"body { color: black }") == first
    assert hashed_name("css/site.css", b"body { color: navy }") != first


def test_pages_link_the_hashed_stylesheet_kept_forever_and_served_without_the_app(app, client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", href)

    app_requests = []
    request_started.connect(lambda sender, **extra: app_requests.append(1), app, weak=False)
    response = client.get(href)
    assert response.status_code == 200
    assert response.get_data() == (PROJECT_ROOT / "static" / "css" / "site.css").read_bytes()
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/css"
    assert app_requests == []  # WhiteNoise answered: no Flask request, no database

    revalidated = client.get(href, headers={"If-None-Match": response.headers["ETag"]})
    assert revalidated.status_code == 304


def test_the_plain_name_still_works_with_a_short_lifetime(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"


def test_a_missing_static_file_is_a_404(client):
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404

"""What every page carries: layout, language switch, security headers, error pages, CSRF."""

from __future__ import annotations

import re

from flask import abort


def test_language_from_query_then_cookie_then_accept_language(client):
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)

    spanish = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    assert "Campañas" in spanish.get_data(as_text=True)

    chosen = client.get("/?lang=es", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in chosen.get_data(as_text=True)
    assert "lang=es" in chosen.headers["Set-Cookie"]

    # The cookie now wins over the browser's language.
    later = client.get("/where", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in later.get_data(as_text=True)

    back = client.get("/where?lang=en")
    assert '<html lang="en">' in back.get_data(as_text=True)


def test_unknown_language_falls_back_to_english(client):
    page = client.get("/?lang=xx", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers or "lang=" not in page.headers["Set-Cookie"]


def test_language_switch_links_to_the_same_page(client):
    text = client.get("/where?state=WI").get_data(as_text=True)
    switch = re.search(r'<nav aria-label="Language".*?</nav>', text, re.S).group(0)
    assert 'href="/where?state=WI&amp;lang=es"' in switch
    assert 'aria-current="true"' in switch


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script_or_style(client, make_campaign):
    make_campaign(slug="brown")
    for path in ("/", "/c/brown", "/where", "/login", "/nope"):
        text = client.get(path).get_data(as_text=True)
        assert "<script>" not in text and "style=" not in text and "<style" not in text, path


def test_https_site_sets_secure_cookies_and_hsts(make_app):
    app = make_app(BASE_URL="https://campaigns.example.org", SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/?lang=es", base_url="https://campaigns.example.org")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_landmarks_and_skip_link(client):
    text = client.get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in text
    for landmark in ('<header class="site-header">', '<main id="main"', '<footer class="site-footer">'):
        assert landmark in text
    assert '<nav aria-label="Main"' in text


def test_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    spanish = client.get("/no-such-page?lang=es")
    assert "Página no encontrada" in spanish.get_data(as_text=True)


def test_403_and_500_pages(app, client):
    @app.get("/test-forbidden")
    def forbidden():
        abort(403)

    @app.get("/test-crash")
    def crash():
        raise RuntimeError("boom")

    response = client.get("/test-forbidden")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/test-crash")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong on our side" in text and "boom" not in text and "Traceback" not in text


def test_form_without_csrf_token_is_refused_and_writes_nothing(app, client, login_as, make_organization):
    from sqlalchemy import func, select

    from campaign.campaigns.models import Campaign
    from campaign.extensions import db

    login_as("organizer")
    organization = make_organization()
    app.config["WTF_CSRF_ENABLED"] = True
    data = {"title": "Brown", "county": "55009", "organization_id": organization.id, "status": "active"}
    refused = client.post("/organize/campaigns/new", data=data)
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0

    form_page = client.get("/organize/campaigns/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    accepted = client.post("/organize/campaigns/new", data=data | {"csrf_token": token})
    assert accepted.status_code == 302


def test_form_fields_carry_no_empty_aria_attributes(client):
    text = client.get("/login").get_data(as_text=True)
    assert '="None"' not in text
    error_page = client.post("/login", data={"email": "not-an-email", "password": ""}).get_data(as_text=True)
    assert 'aria-invalid="true"' in error_page and 'aria-describedby="email-error"' in error_page


def test_oversized_upload_is_refused_with_a_clear_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)

"""role_required: who may open an organizer page."""

from __future__ import annotations

import pytest

from campaign.accounts.models import Role
from campaign.core.permissions import role_required


@pytest.fixture
def admin_page(app):
    """A page only admins may open, registered on this test's app before its first request."""

    @role_required(Role.ADMIN)
    def admin_only():
        return "the admin page"

    app.add_url_rule("/test-admin-only", "test_admin_only", admin_only)
    return "/test-admin-only"


@pytest.mark.parametrize("role", ["viewer", "organizer"])
def test_lower_roles_get_403(client, login_as, admin_page, role):
    login_as(role)
    response = client.get(admin_page)
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "You do not have access to this page" in text
    assert "the admin page" not in text


def test_admin_opens_it(client, login_as, admin_page):
    login_as("admin")
    response = client.get(admin_page)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "the admin page")


def test_anonymous_visitor_is_sent_to_login(client, admin_page):
    response = client.get(admin_page)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Ftest-admin-only"


def test_higher_roles_include_lower_ones(client, login_as):
    login_as("admin")
    assert client.get("/organize/").status_code == 200  # a viewer page

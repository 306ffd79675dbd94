"""Rate limits on public actions hold: requests arriving together never get more through than
the limit, in one process's memory or in Redis, and only actions taken count."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from campaign.extensions import db, limiter
from campaign.petitions.models import Signature
from campaign.pledges.models import Commitment

GOOD = {"first_name": "María", "last_name": "García", "email": "maria@example.org", "zip_code": "54301"}


@pytest.fixture(params=["memory", "redis"])
def storage_uri(request) -> str:
    if request.param == "memory":
        return "memory://"
    return request.getfixturevalue("redis_url")


@pytest.fixture(params=["sign", "commit"])
def action(request, make_petition, make_pledge):
    """(URL of a public action form, the model its accepted posts write)."""
    if request.param == "sign":
        return f"/p/{make_petition().slug}", Signature
    return f"/pledges/{make_pledge().slug}", Commitment


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def post_together(app, url: str, forms: list[dict]) -> list[int]:
    """Post every form at the same moment, each from its own client (one address)."""
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = []

    def post(data: dict) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=post, args=(data,)) for data in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


@pytest.mark.parametrize("limit", ["10 per 10 minutes", "30 per minute;10 per day"])
def test_sixteen_at_once_against_a_limit_of_ten(make_app, storage_uri, action, limit):
    url, model = action
    app = make_app(SIGN_RATE_LIMIT=limit, RATELIMIT_STORAGE_URI=storage_uri)
    forms = [GOOD | {"email": f"person{number}@example.org"} for number in range(16)]
    assert post_together(app, url, forms) == [303] * 10 + [429] * 6
    assert rows(model) == 10
    # The refused ones did not use up a place either: the allowance is spent, not overdrawn.
    assert app.test_client().post(url, data=GOOD).status_code == 429


def test_typos_and_refusals_do_not_count(make_app, storage_uri, action):
    url, model = action
    app = make_app(SIGN_RATE_LIMIT="3 per 10 minutes", RATELIMIT_STORAGE_URI=storage_uri)
    client = app.test_client()
    assert [client.post(url, data=GOOD | {"zip_code": "1"}).status_code for _ in range(8)] == [422] * 8
    statuses = [client.post(url, data=GOOD | {"email": f"p{number}@example.org"}).status_code for number in range(5)]
    assert statuses == [303, 303, 303, 429, 429]
    assert rows(model) == 3


def test_the_limit_is_per_address(make_app, make_petition):
    slug = make_petition().slug
    app = make_app(SIGN_RATE_LIMIT="1 per 10 minutes")
    client = app.test_client()
    assert client.post(f"/p/{slug}", data=GOOD).status_code == 303
    assert client.post(f"/p/{slug}", data=GOOD | {"email": "b@example.org"}).status_code == 429
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.post(f"/p/{slug}", data=GOOD | {"email": "c@example.org"}, environ_base=elsewhere).status_code == 303


def test_limits_switched_off_let_everything_through(make_app, make_petition):
    slug = make_petition().slug
    app = make_app(SIGN_RATE_LIMIT="1 per 10 minutes", RATELIMIT_ENABLED=False)
    client = app.test_client()
    statuses = [client.post(f"/p/{slug}", data=GOOD | {"email": f"p{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [303, 303, 303]
    assert limiter.enabled is False

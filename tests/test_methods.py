"""HTTP methods over every route: each answers 405 to a method it does not take, and GET changes nothing."""

import pytest
from django.urls import reverse

from tests.routes import (
    GET_ONLY,
    GET_POST,
    POST_ONLY,
    PUBLIC,
    all_route_names,
    build_world,
    route_kwargs,
    snapshot,
    url_patterns_by_name,
)

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def allowed(name: str) -> set[str]:
    if name in GET_ONLY:
        return {"get"}
    if name in POST_ONLY:
        return {"post"}
    return {"get", "post"}


def test_every_route_is_classified_by_method_exactly_once():
    names = set(all_route_names())
    assert not (GET_ONLY & POST_ONLY) and not (GET_ONLY & GET_POST) and not (POST_ONLY & GET_POST)
    assert names == GET_ONLY | POST_ONLY | GET_POST, sorted(names ^ (GET_ONLY | POST_ONLY | GET_POST))


def _url(name: str, world) -> str:
    if name == "disputes:mediation_invitation":
        # A link that works, so the answer is about the method, not the token.
        return reverse(name, args=[world.invitation_token])
    if name == "disputes:offer_public":
        return reverse(name, args=[world.offer_token])
    if name == "disputes:calendar_ics":
        return reverse(name, args=[world.feed_token])
    has_ids = bool(url_patterns_by_name()[name].pattern.converters)
    return reverse(name, kwargs=route_kwargs(name, world) if has_ids else {})


def _actor(name: str, world, owner, staff):
    """Each route as the one who may use it: nobody for public pages, staff, the case's mediator, or the owner."""
    if name in PUBLIC:
        return None
    if name.startswith(("disputes:review_", "disputes:staff_")):
        return staff
    if name.startswith("disputes:mediation_"):
        return world.access.mediator
    return owner


def test_a_method_a_route_does_not_take_is_405_for_the_person_who_may_use_it(owner, staff, client):
    world = build_world(owner)
    before = snapshot()
    checked = 0
    for name in all_route_names():
        actor = _actor(name, world, owner, staff)
        client.logout()
        if actor is not None:
            client.force_login(actor)
        url = _url(name, world)
        for method in sorted(set(METHODS) - allowed(name)):
            response = getattr(client, method)(url)
            assert response.status_code == 405, f"{method.upper()} {name} gave {response.status_code}"
            checked += 1
    assert snapshot() == before
    assert checked > 150


def test_no_get_changes_anything(owner, client):
    world = build_world(owner)
    client.force_login(owner)
    before = snapshot()
    for name in all_route_names():
        if name in POST_ONLY:
            continue
        client.get(_url(name, world))
    assert snapshot() == before


def test_no_view_is_csrf_exempt():
    for name, pattern in url_patterns_by_name().items():
        assert not getattr(pattern.callback, "csrf_exempt", False), name

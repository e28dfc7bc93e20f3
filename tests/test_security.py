"""Tenancy, login, CSRF, escaping and headers, checked over every route the app has."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from disputes.services.evidence import EvidenceDetails, evidence_add
from tests.conftest import png_bytes
from tests.factories import CaseFactory, EntryFactory, UserFactory, WarningSignFactory
from tests.routes import (
    MIXED,
    POST_DATA,
    POST_ONLY,
    PROJECT_DATA,
    PUBLIC,
    all_route_names,
    build_world,
    route_kwargs,
    routes_with_ids,
    snapshot,
    url_patterns_by_name,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worlds(owner, outsider):
    return build_world(owner), build_world(outsider)


def test_every_route_with_ids_has_an_ownership_check_here(worlds):
    mine, _ = worlds
    for name in routes_with_ids():
        if name.startswith("accounts:"):
            continue
        route_kwargs(name, mine)  # KeyError: a new route was added without a tenancy test


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_other_peoples_objects_are_404_for_every_method_and_change_nothing(worlds, outsider, client, method):
    mine, _ = worlds
    client.force_login(outsider)
    before = snapshot()
    checked = 0
    for name in routes_with_ids():
        if name.startswith("accounts:"):
            continue
        url = reverse(name, kwargs=route_kwargs(name, mine))
        response = getattr(client, method)(url, POST_DATA.get(name, {}))
        assert response.status_code == 404, f"{method.upper()} {name} gave {response.status_code}"
        assert b"Secret case" not in response.content
        checked += 1
    assert snapshot() == before
    assert checked >= 42


def test_mixed_ids_my_object_with_someone_elses_child_are_404(worlds, owner, client):
    mine, theirs = worlds
    client.force_login(owner)
    before = snapshot()
    for name in MIXED:
        url = reverse(name, kwargs=route_kwargs(name, mine, secondary=theirs))
        assert client.get(url).status_code == 404, name
        assert client.post(url, POST_DATA.get(name, {})).status_code == 404, name
    assert snapshot() == before


def test_other_peoples_ids_in_forms_are_refused(worlds, owner, client):
    _, theirs = worlds
    client.force_login(owner)
    before = snapshot()
    response = client.post(
        reverse("disputes:project_create"),
        {**PROJECT_DATA, "client": theirs.client.pk},
    )
    assert response.status_code == 200 and "Pick one of the choices offered" in response.content.decode()
    response = client.post(
        reverse("disputes:case_open"),
        {"project": theirs.project.pk, "title": "x", "kind": "billing", "amount_in_dispute": "1", "currency": "USD"},
    )
    assert response.status_code == 200 and "Pick one of the choices offered" in response.content.decode()
    assert snapshot() == before


def test_every_private_page_sends_anonymous_visitors_to_login(worlds, client):
    mine, _ = worlds
    for name in all_route_names():
        if name in PUBLIC:
            continue
        kwargs = route_kwargs(name, mine) if url_patterns_by_name()[name].pattern.converters else {}
        url = reverse(name, kwargs=kwargs)
        response = client.post(url) if name in POST_ONLY else client.get(url)
        if name == "accounts:logout":
            assert response.status_code == 302
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


def test_posts_without_a_csrf_token_are_refused(worlds, owner):
    mine, _ = worlds
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(owner)
    before = snapshot()
    response = browser.post(reverse("disputes:entry_add", args=[mine.case.pk]), {"kind": "note", "body": "x"})
    assert response.status_code == 403
    response = browser.post(
        reverse("disputes:case_move", args=[mine.case.pk, "escalate"]),
        POST_DATA["disputes:case_move"],
    )
    assert response.status_code == 403
    assert snapshot() == before


MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_user_text_is_escaped_on_every_page(owner, client):
    user = UserFactory(name=MARKUP)
    case = CaseFactory(
        project__client__owner=user,
        project__client__name=MARKUP,
        project__client__company=MARKUP,
        project__title=MARKUP,
        title=MARKUP,
        client_complaint=MARKUP,
    )
    WarningSignFactory(client=case.client, note=MARKUP)
    EntryFactory(case=case, body=MARKUP)
    evidence_add(
        case=case,
        author=user,
        uploads=[SimpleUploadedFile(f"{MARKUP}.png", png_bytes())],
        details=EvidenceDetails(kind="photo", caption=MARKUP),
    )
    client.force_login(user)
    pages = [
        reverse("disputes:dashboard"),
        reverse("disputes:case_list"),
        reverse("disputes:client_list"),
        reverse("disputes:project_list"),
        case.get_absolute_url(),
        case.client.get_absolute_url(),
        case.project.get_absolute_url(),
        reverse("disputes:evidence_detail", args=[case.pk, case.evidence.get().pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


def test_security_headers_are_sent(owner_client):
    response = owner_client.get(reverse("disputes:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"

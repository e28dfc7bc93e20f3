"""No page scrolls sideways on a 375 px phone: every page the owner reaches, from the route table."""

import pytest
from playwright.sync_api import Error, Page

from tests.browser.pages import other_pages, owner_pages, sign_in
from tests.factories import UserFactory
from tests.routes import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The innermost elements reaching past the phone's edge, to say what to fix.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 376).slice(-3).map(e => `${e.tagName}.${e.className}`)"""


def test_no_page_the_owner_reaches_is_wider_than_a_phone(live_server, page: Page):
    user = UserFactory(email="phone@example.com")
    world = build_world(user)
    pages = owner_pages(world)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, user)
    wide, seen = {}, []
    for name, path in pages.items():
        try:
            response = page.goto(f"{live_server.url}{path}")
        except Error:  # a download, not a page
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen.append(name)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[name] = (width, page.evaluate(OVERFLOWING))
    assert len(seen) >= 40, f"only {len(seen)} pages were opened: {seen}"
    assert wide == {}, f"pages wider than 375 px: {wide}"


@pytest.mark.parametrize("role", ["staff", "mediator"])
def test_staff_and_mediator_pages_fit_a_phone(live_server, page: Page, role):
    world = build_world(UserFactory(email="owner-of-it@example.com"))
    user = UserFactory(email="staff-phone@example.com", is_staff=True) if role == "staff" else world.access.mediator
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, user)
    wide = {}
    names = other_pages(world, role)
    for name, path in names.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{name} answered {response.status}"
        if (width := page.evaluate("document.documentElement.scrollWidth")) > 375:
            wide[name] = (width, page.evaluate(OVERFLOWING))
    assert names and wide == {}, f"pages wider than 375 px: {wide}"


def test_on_a_phone_the_case_page_shows_its_state_then_the_timeline(live_server, page: Page, shot):
    user = UserFactory(email="phone-order@example.com")
    world = build_world(user)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{world.case.get_absolute_url()}")
    top = {name: page.locator(selector).bounding_box()["y"] for name, selector in [
        ("state", ".page-header"), ("timeline", "#timeline"), ("form", "#add-entry"), ("ladder", "#ladder"),
        ("letters", "#letters"),
    ]}  # fmt: skip
    assert top["state"] < top["timeline"] < top["form"] < top["ladder"] < top["letters"], top
    assert top["timeline"] < 1200, top  # no longer below the ladder, checklist and cards
    assert page.get_by_test_id("case-jump").is_visible()
    shot("phone-case-order")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.get_by_test_id("case-jump").is_visible()
    # At desktop width the ladder sits beside the timeline, on the right.
    assert page.locator("#ladder").bounding_box()["x"] > page.locator("#timeline").bounding_box()["x"] + 300

"""No page scrolls sideways on a 375 px phone: every page the owner reaches, from the route table."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error, Page

from tests.factories import PASSWORD, UserFactory
from tests.routes import GET_ONLY, GET_POST, all_route_names, build_world, route_kwargs, url_patterns_by_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not pages: files, feeds and keys the browser downloads or shows raw.
NOT_PAGES = ("download", "pdf", "export", "calendar_ics", "thumbnail", "signing_key", "cases_export", "health")
# Other people's pages (staff's, a mediator's), and links the world holds no working token for.
NOT_OWNERS = ("staff", "review", "mediation_", "sign_up_confirm", "password_reset_confirm", "project_lessons")


# The innermost elements reaching past the phone's edge, to say what to fix.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 376).slice(-3).map(e => `${e.tagName}.${e.className}`)"""


def owner_pages(world) -> dict[str, str]:
    patterns = url_patterns_by_name()
    pages = {}
    for name in all_route_names():
        short = name.split(":")[-1]
        if name not in GET_ONLY | GET_POST or any(part in short for part in NOT_PAGES + NOT_OWNERS):
            continue
        if name == "disputes:offer_public":
            pages[name] = reverse(name, args=[world.offer_token])
        elif patterns[name].pattern.converters:
            pages[name] = reverse(name, kwargs=route_kwargs(name, world))
        else:
            pages[name] = reverse(name)
    return pages


def _sign_in(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")


def test_no_page_the_owner_reaches_is_wider_than_a_phone(live_server, page: Page):
    user = UserFactory(email="phone@example.com")
    world = build_world(user)
    pages = owner_pages(world)
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, live_server, user)
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
    prefix = "disputes:staff_" if role == "staff" else "disputes:mediation_"
    names = [name for name in GET_ONLY | GET_POST if name.startswith(prefix) and "evidence" not in name]
    names = [name for name in names if "export" not in name and name != "disputes:mediation_invitation"]
    user = UserFactory(email="staff-phone@example.com", is_staff=True) if role == "staff" else world.access.mediator
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, live_server, user)
    patterns = url_patterns_by_name()
    wide = {}
    for name in sorted(names):
        kwargs = route_kwargs(name, world) if patterns[name].pattern.converters else {}
        response = page.goto(f"{live_server.url}{reverse(name, kwargs=kwargs)}")
        assert response.status == 200, f"{name} answered {response.status}"
        if (width := page.evaluate("document.documentElement.scrollWidth")) > 375:
            wide[name] = (width, page.evaluate(OVERFLOWING))
    assert names and wide == {}, f"pages wider than 375 px: {wide}"

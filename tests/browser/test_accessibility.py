"""Accessibility: axe-core on every page a person reaches, and the keyboard path through the case page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.pages import other_pages, owner_pages, sign_in
from tests.factories import UserFactory
from tests.routes import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = ("serious", "critical")


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the open page, as "rule: where" lines."""
    violations = AXE.run(page).response["violations"]
    return [
        f"{violation['id']}: {node['target']} {node['html'][:120]}"
        for violation in violations
        if violation["impact"] in BLOCKING
        for node in violation["nodes"][:3]
    ]


def _check_all(page: Page, live_server, paths: dict[str, str], shots: str = "") -> str:
    """Every blocking finding on the pages, one line each ("" when there is none). With `shots`,
    each page's first screen is saved under artifacts/screenshots/<shots>/ to be looked at."""
    found = []
    folder = SCREENSHOTS / shots
    if shots:
        folder.mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():
        response = page.goto(f"{live_server.url}{path}")
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 500:  # an error page passes axe: it is a finding of its own
            found.append(f"{name} answered {response.status}")
            continue
        found += [f"{name} {problem}" for problem in blocking_violations(page)]
        if shots:
            page.screenshot(path=str(folder / f"{name.split(':')[-1]}.png"))
    return "\n".join(found)


@pytest.mark.parametrize("width", [1280, 375])
def test_no_owner_page_has_a_serious_accessibility_violation(live_server, page: Page, width):
    user = UserFactory(email="a11y@example.com")
    world = build_world(user)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, user)
    pages = owner_pages(world)
    assert len(pages) >= 40
    assert (found := _check_all(page, live_server, pages, shots=f"pages-{width}")) == "", found


@pytest.mark.parametrize("role", ["staff", "mediator"])
def test_no_staff_or_mediator_page_has_a_serious_accessibility_violation(live_server, page: Page, role):
    world = build_world(UserFactory(email="owner-a11y@example.com"))
    user = UserFactory(email="staff-a11y@example.com", is_staff=True) if role == "staff" else world.access.mediator
    sign_in(page, live_server, user)
    pages = other_pages(world, role)
    assert pages
    assert (found := _check_all(page, live_server, pages, shots=f"pages-{role}")) == "", found


def test_signed_out_pages_have_no_serious_accessibility_violation(live_server, page: Page):
    paths = {name: path for name, path in [("login", "/accounts/login/"), ("sign_up", "/accounts/sign-up/")]}
    assert (found := _check_all(page, live_server, paths)) == "", found


def test_the_keyboard_reaches_the_skip_link_first_and_the_timeline_form_before_the_moves(live_server, page: Page):
    user = UserFactory(email="keys@example.com")
    world = build_world(user)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{world.case.get_absolute_url()}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # hidden until focused, then on screen
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    order = []
    for _ in range(80):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.name || document.activeElement.dataset.move || ''"))
        if "escalate" in order:
            break
    assert "body" in order and "escalate" in order
    assert order.index("body") < order.index("escalate"), order


def test_inactive_navigation_links_are_readable_and_focus_shows(live_server, page: Page):
    user = UserFactory(email="nav@example.com")
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/cases/")
    ratio = page.evaluate(CONTRAST, "a.nav-link:not(.active)")
    assert ratio >= 4.5, ratio
    link = page.locator("a.nav-link:not(.active)").first
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)") >= 2


# The WCAG contrast ratio of an element's text colour on the navigation bar's background.
CONTRAST = """(selector) => {
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const el = document.querySelector(selector);
  const [r, g, b, a = 1] = parse(getComputedStyle(el).color);
  const [br, bg, bb] = parse(getComputedStyle(el.closest('nav')).backgroundColor);
  const mix = [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([x, y, z]) => [x, y, z].map(channel)
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [hi, lo] = [lum(mix), lum([br, bg, bb])].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}"""

"""The pages a person reaches, by role, from the route table: for the checks that open every page."""

from django.urls import reverse
from playwright.sync_api import Page

from tests.factories import PASSWORD
from tests.routes import GET_ONLY, GET_POST, all_route_names, route_kwargs, url_patterns_by_name

# Not pages: files, feeds and keys the browser downloads or shows raw.
NOT_PAGES = ("download", "pdf", "export", "calendar_ics", "thumbnail", "signing_key", "cases_export", "health")
# Other people's pages (staff's, a mediator's), and links the world holds no working token for.
NOT_OWNERS = ("staff", "review", "mediation_", "sign_up_confirm", "password_reset_confirm", "project_lessons")


def owner_pages(world) -> dict[str, str]:
    """URL name → path of every GET page the world's owner reaches (and the client's offer link)."""
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


def other_pages(world, role: str) -> dict[str, str]:
    """URL name → path of the staff's ("staff") or a mediator's ("mediator") pages in the world."""
    prefix = "disputes:staff_" if role == "staff" else "disputes:mediation_"
    names = [name for name in GET_ONLY | GET_POST if name.startswith(prefix) and "evidence" not in name]
    names = [name for name in names if "export" not in name and name != "disputes:mediation_invitation"]
    patterns = url_patterns_by_name()
    return {
        name: reverse(name, kwargs=route_kwargs(name, world) if patterns[name].pattern.converters else {})
        for name in sorted(names)
    }


def sign_in(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")

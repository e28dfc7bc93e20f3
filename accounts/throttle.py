"""Failed sign-in throttling, by django-axes, kept in the database.

The count lives in a table every web process shares, so a locked account
stays locked whichever worker answers the next try, and nothing about it
depends on Redis or any cache: a cache outage cannot make sign-in fail, nor
let a locked account in. The admin's login goes through the same
authentication backend, so its failures count too.

After LOGIN_FAILURE_LIMIT failed sign-ins for one address, or from one
client IP, within LOGIN_FAILURE_WINDOW_SECONDS, further tries are refused
(even with the right password) until the window has passed; a successful
sign-in resets the count. Locking by address stops guessing one account's
password; locking by IP stops one client trying a password on many
accounts. The price: anyone can lock an address for a while by failing on
purpose (the password reset still works), and people behind one shared IP
share its count.

Behind a proxy every request comes from the proxy's address, so the client's
IP is read from X-Forwarded-For, but only when TRUSTED_PROXY_COUNT says how
many proxies of ours append to it (the header is otherwise anyone's to forge).
"""

from django.conf import settings
from django.shortcuts import render

from accounts.forms import SignInForm


def client_ip(request) -> str:
    """The address of the client as our own proxies saw it (REMOTE_ADDR when there are none)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        # Each trusted proxy appends the address it received the request from; the
        # outermost one's entry is `proxies` from the right. Entries left of it are the client's to invent.
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def username_of(request, credentials) -> str:
    """The address tried, in the form it is stored (case-insensitive e-mail)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def locked_out(request, response, credentials):
    """The sign-in page again, saying why, with 429 Too Many Requests."""
    # Unbound: validating it would authenticate again, and count another failure.
    form = SignInForm(request, initial={"username": username_of(request, credentials)})
    context = {"form": form, "next": request.POST.get("next", ""), "locked": SignInForm.error_messages["throttled"]}
    return render(request, "accounts/login.html", context, status=429)

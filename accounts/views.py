from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import services
from accounts.forms import SignInForm, SignUpForm
from accounts.models import User
from accounts.tokens import sign_up_tokens


def _safe_next(request, value: str) -> str:
    if url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.sign_up_request(
            email=data["email"],
            name=data["name"],
            business_name=data["business_name"],
            time_zone=data["time_zone"],
            language=translation.get_language(),  # the browser's, as this page was shown in it
            next_url=next_url,
        )
        # The same answer for a new address and one that has an account: see services.sign_up_request.
        request.session["sign_up_email"] = data["email"]
        return redirect("accounts:sign_up_sent")
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_url})


@require_safe
def sign_up_sent(request):
    return render(request, "accounts/sign_up_sent.html", {"email": request.session.get("sign_up_email", "")})


@require_http_methods(["GET", "POST"])
def sign_up_confirm(request, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or user.is_active or not sign_up_tokens.check_token(user, token):
        return render(request, "accounts/sign_up_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    next_url = _safe_next(request, request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        services.sign_up_confirm(user=user, password=form.cleaned_data["new_password1"])
        # login() rotates the session key, so a session fixed before sign-up is useless.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to Settle. Your account is ready.") + ("" if next_url else " Start by adding a client.")
        )
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/sign_up_confirm.html", {"form": form, "email": user.email})


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        # Links in e-mails come from the configured site URL, never the Host header.
        return {"site_url": settings.SITE_URL}

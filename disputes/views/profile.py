"""The signed-in person's settings: who they are, their time zone, and their response clock.

The page lives here rather than in `accounts` because half of it is about
disputes (the response window, reminders); `accounts` never imports
`disputes`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import user_update_profile
from disputes.forms import ProfileForm
from disputes.services.clock import response_settings_update
from disputes.views.common import form_errors


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user_update_profile(
                    user=request.user,
                    name=data["name"],
                    business_name=data["business_name"],
                    time_zone=data["time_zone"],
                    language=data["language"],
                )
                moved = response_settings_update(
                    user=request.user,
                    email_reminders=data["email_reminders"],
                    response_window_hours=data["response_window_hours"],
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            translation.activate(request.user.language or translation.get_language_from_request(request))
            messages.success(
                request,
                _("Profile saved. The deadlines of open concerns moved to the new window.")
                if moved
                else _("Profile saved."),
            )
            return redirect("disputes:profile")
    return render(request, "accounts/profile.html", {"form": form})

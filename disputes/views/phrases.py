"""The phrasebook: a freelancer's reply starters, edited here and inserted in the composer and in
letter drafts (static/js/phrases.js)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from disputes.models import Phrase
from disputes.rules import phrasebook as rules
from disputes.selectors_phrases import phrasebook_for
from disputes.services import phrases as services
from disputes.views.common import refusal
from disputes.views.loaders import loads, phrase_for_owner


@login_required
@require_http_methods(["GET", "POST"])
def phrasebook(request):
    """GET: the phrases by moment. POST `copy`: make Settle's starters the user's own to edit;
    POST `moment` and `text`: add a phrase (copying the starters first if needed)."""
    typed = {"moment": request.POST.get("moment", ""), "text": request.POST.get("text", "")}
    if request.method == "POST":
        try:
            if "copy" in request.POST:
                services.phrasebook_copy(request.user)
                messages.success(request, _("The starters are now yours to edit."))
            else:
                services.phrase_add(user=request.user, moment=typed["moment"], text=typed["text"])
                messages.success(request, _("Phrase added."))
        except ValidationError as error:
            messages.error(request, _("Phrase not added: %(why)s") % {"why": refusal(error)})
        else:
            return redirect("disputes:phrasebook")
    moments, own = phrasebook_for(request.user)
    context = {"moments": moments, "own": own, "typed": typed, "choices": rules.MOMENTS, "max": rules.MAX_LENGTH}
    return render(request, "disputes/phrasebook.html", context, status=400 if request.method == "POST" else 200)


@login_required
@loads(phrase_for_owner)
@require_POST
def phrase_update(request, phrase: Phrase):
    """Edit a phrase's text, or with `remove` take it out of the phrasebook."""
    try:
        if "remove" in request.POST:
            services.phrase_remove(phrase=phrase, actor=request.user)
            messages.success(request, _("Phrase removed."))
        else:
            services.phrase_edit(phrase=phrase, actor=request.user, text=request.POST.get("text", ""))
            messages.success(request, _("Phrase saved."))
    except ValidationError as error:
        messages.error(request, _("Phrase not saved: %(why)s") % {"why": refusal(error)})
    return redirect(f"{reverse('disputes:phrasebook')}#moment-{phrase.moment}")

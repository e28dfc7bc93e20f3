"""Mail with the client from a case: write and send, the reminder kit, held mail, imports."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from disputes import mailparse
from disputes.forms import ImportApplyForm, ImportUploadForm, MailForm
from disputes.languages import say
from disputes.models import Case, ClientMail, ReceivedMessage
from disputes.rules import tone
from disputes.selectors_phrases import phrasebook_for
from disputes.services import imports as import_services
from disputes.services import mail_in, mail_out, reminder_kit
from disputes.services.submissions import submission_once
from disputes.views.common import attach_clocks, form_errors, refusal
from disputes.views.loaders import case_for_owner, client_mail_for_owner, loads, received_for_owner

IMPORT_SALT = "settle.import"
IMPORT_MAX_AGE = 24 * 3600


def _mail_card(case: Case) -> str:
    return f"{case.get_absolute_url()}#mail"


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def mail_compose(request, case: Case):
    template = request.GET.get("template") or request.POST.get("template") or ""
    initial, rows = {}, []
    if template:
        try:
            draft = reminder_kit.reminder_draft(case=case, template=template, user=request.user)
        except ValidationError:
            raise Http404(_("No such reminder template.")) from None
        initial = {"subject": draft["subject"], "body": draft["body"], "template": template}
        rows = draft["rows"]
    form = MailForm(request.POST or None, case=case, initial=initial)
    draft_hints: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft_hints = [say(hint) for hint in tone.hints(data["body"])]
        if "check" not in request.POST:
            made: list[ClientMail] = []

            def queue() -> str:
                made.append(
                    mail_out.mail_queue(
                        case=case,
                        author=request.user,
                        subject=data["subject"],
                        body=data["body"],
                        attachments=data["attachments"],
                        send_at=data["send_at"],
                        hold_minutes=data["hold_minutes"],
                        purpose=ClientMail.Purpose.REMINDER if template else ClientMail.Purpose.MESSAGE,
                        template=template,
                    )
                )
                return _mail_card(case)

            try:
                url, created = submission_once(user=request.user, key=request.POST.get("submission_key"), run=queue)
            except ValidationError as error:
                form_errors(form, error)
            else:
                if created:
                    messages.success(request, _queued_message(made[0], chosen_hold=data["hold_minutes"] is not None))
                else:
                    messages.info(request, _("That mail was already written from this form; it was not queued twice."))
                return redirect(url)
    attach_clocks([case])
    heated = mail_out.heated_message(case, timezone.now())
    context = {
        "case": case,
        "form": form,
        "template": template,
        "template_label": reminder_kit.REMINDER_TEMPLATES.get(template, ""),
        "templates": reminder_kit.REMINDER_TEMPLATES,
        "rows": rows,
        "suggestions": reminder_kit.reminder_suggestions(case=case, user=request.user),
        "reply_address": mail_out.reply_address_shown(case),
        "heated": heated,
        "heated_hints": [say(hint) for hint in tone.hints(heated.body)] if heated else [],
        "draft_hints": draft_hints,
        "checked": request.method == "POST" and "check" in request.POST,
        "hold_minutes": settings.MAIL_HOLD_MINUTES,
        "phrase_moments": phrasebook_for(request.user)[0],
    }
    return render(request, "disputes/mail_compose.html", context)


def _queued_message(mail: ClientMail, *, chosen_hold: bool = False) -> str:
    if mail.held:
        minutes = round((mail.send_after - mail.created_at).total_seconds() / 60)
        if chosen_hold:
            held = _(
                "Held for %(minutes)s minutes to cool off as you chose: nothing has been sent yet. "
                "Send it now or cancel it from the case page."
            )
        else:
            held = _(
                "Held for %(minutes)s minutes to cool off after the client's heated message: nothing has "
                "been sent yet. Send it now or cancel it from the case page."
            )
        return held % {"minutes": minutes}
    if mail.scheduled:
        when = date_format(timezone.localtime(mail.send_after), _("j M Y, H:i"))
        return _("Scheduled for %(when)s: nothing has been sent yet.") % {"when": when}
    return _("Handed to the outbox. It goes on the timeline once the mail server accepts it.")


@login_required
@loads(client_mail_for_owner)
@require_POST
def mail_send_now(request, mail: ClientMail):
    if mail_out.mail_send_now(mail=mail, actor=request.user):
        messages.success(request, _("Sending now. It goes on the timeline once the mail server accepts it."))
    else:
        messages.info(request, _("This mail is already being sent, was sent, or was cancelled."))
    return redirect(_mail_card(mail.case))


@login_required
@loads(client_mail_for_owner)
@require_POST
def mail_cancel(request, mail: ClientMail):
    if mail_out.mail_cancel(mail=mail, actor=request.user):
        messages.success(request, _("Cancelled. Nothing was sent."))
    else:
        messages.info(request, _("Too late to cancel: this mail is being sent or already went."))
    return redirect(_mail_card(mail.case))


@login_required
@loads(received_for_owner)
@require_POST
def received_decide(request, received: ReceivedMessage, decision: str):
    if decision not in ("accept", "reject"):
        raise Http404
    try:
        if decision == "accept":
            mail_in.received_accept(received=received, actor=request.user)
            messages.success(request, _("Filed on the timeline as a message from the client."))
        elif mail_in.received_reject(received=received, actor=request.user):
            messages.success(request, _("Left off the case. Its copy was removed."))
        else:
            messages.info(request, _("This message was already accepted or rejected."))
    except ValidationError as error:
        messages.info(request, refusal(error))
    except mailparse.MailUnreadable as error:
        messages.error(request, _("The held message could not be read again: %(why)s") % {"why": error})
    return redirect(_mail_card(received.case))


# --- Imports --------------------------------------------------------------------------------
@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def mail_import(request, case: Case):
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"time_zone": request.user.time_zone or "UTC"}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not case.is_open:
            form.add_error(None, _("The case is closed. Reopen it before importing."))
        elif getattr(upload, "oversize", False):
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            form.add_error(
                "file", _("This file is larger than the %(limit)s MB Settle imports at a time.") % {"limit": limit}
            )
        else:
            name = import_services.import_stash(upload)
            token = signing.dumps(
                {"c": case.pk, "u": request.user.pk, "f": name, "n": upload.name[:200]}, salt=IMPORT_SALT
            )
            query = f"?token={token}&time_zone={form.cleaned_data['time_zone']}"
            return redirect(reverse("disputes:mail_import_preview", args=[case.pk]) + query)
    return render(request, "disputes/import_upload.html", {"case": case, "form": form})


def _stashed(request, case: Case, token: str) -> dict:
    try:
        data = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:
        raise Http404(_("This import link is not valid any more. Upload the file again.")) from None
    if data.get("c") != case.pk or data.get("u") != request.user.pk:
        raise Http404
    return data


@login_required
@loads(case_for_owner)
@require_http_methods(["GET", "POST"])
def mail_import_preview(request, case: Case):
    token = request.POST.get("token") or request.GET.get("token") or ""
    stash = _stashed(request, case, token)
    source = request.POST if request.method == "POST" else request.GET
    time_zone = source.get("time_zone") or request.user.time_zone or "UTC"
    day_first = {"1": True, "0": False}.get(source.get("day_first", ""))
    back = reverse("disputes:mail_import", args=[case.pk])
    try:
        data = import_services.import_stashed(stash["f"])
        preview = import_services.import_read(
            case=case, name=stash["n"], data=data, time_zone=time_zone, day_first=day_first
        )
    except import_services.ImportUnreadable as error:
        import_services.import_unstash(stash["f"])
        messages.error(request, _("Nothing was imported: %(why)s") % {"why": error})
        return redirect(back)
    except ValidationError as error:
        messages.error(request, _("Nothing was imported: %(why)s") % {"why": refusal(error)})
        return redirect(back)
    suggested = {key: mapping for key, _, mapping in preview.senders}
    initial = {
        "token": token,
        "time_zone": time_zone,
        "day_first": "1" if preview.day_first else "0",
        # New messages from senders that are not left out; the freelancer can tick others.
        "selected": [item.index for item in preview.new_items if suggested.get(item.sender) != import_services.SKIP],
    }
    form = ImportApplyForm(request.POST or None, preview=preview, initial=initial)
    if request.method == "POST" and "apply" in request.POST and form.is_valid():
        try:
            result = import_services.import_apply(
                case=case,
                actor=request.user,
                name=stash["n"],
                data=data,
                selected=set(form.cleaned_data["selected"]),
                mapping=form.mapping(),
                time_zone=form.cleaned_data["time_zone"],
                day_first=form.cleaned_data["day_first"] if preview.kind == "chat" else None,
            )
        except (ValidationError, import_services.ImportUnreadable) as error:
            if isinstance(error, ValidationError):
                form_errors(form, error)
            else:
                form.add_error(None, str(error))
        except IntegrityError:
            form.add_error(
                None, _("This file was being imported at the same moment in another tab; nothing was added.")
            )
        else:
            import_services.import_unstash(stash["f"])
            said = ngettext(
                "Imported %(count)s message with its original time.",
                "Imported %(count)s messages with their original times.",
                result.added,
            ) % {"count": result.added}
            if result.evidence:
                said += " " + ngettext(
                    "%(count)s file kept as evidence.", "%(count)s files kept as evidence.", result.evidence
                ) % {"count": result.evidence}
            if result.already:
                said += " " + ngettext(
                    "%(count)s was already on the timeline.", "%(count)s were already on the timeline.", result.already
                ) % {"count": result.already}
            messages.success(request, said)
            return redirect(f"{case.get_absolute_url()}#timeline")
    if form.is_bound:
        chosen = {int(value) for value in request.POST.getlist("selected") if value.isdigit()}
    else:
        chosen = set(initial["selected"])
    context = {
        "case": case,
        "form": form,
        "preview": preview,
        "chosen": chosen,
        "sender_fields": [form[name] for name, _ in form.senders],
        "back": back,
    }
    return render(request, "disputes/import_preview.html", context)

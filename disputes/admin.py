"""The operator console: find and read anything, change nothing behind the services' back.

Every record a freelancer keeps (clients, projects, milestones, agreements,
cases, timeline entries, evidence, letters) and every staff record (reviews,
review actions) is view-only here and can never be deleted: edits go
through the site's pages, whose services hold the rules, and a delete here
would cascade past the append-only record. What operators do is done with
admin actions that call the same services the site uses: assign or close a
review, retry an e-mail.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from disputes.models import (
    Case,
    Client,
    Concern,
    Evidence,
    FormSubmission,
    Letter,
    MediatorAccess,
    MediatorInvitation,
    Milestone,
    Notification,
    Project,
    Reminder,
    ReminderEmail,
    Review,
    ReviewAction,
    ScopeAgreement,
    SettlementProposal,
    TimelineEntry,
    WarningSign,
)
from disputes.services.outbox import outbox_retry
from disputes.services.review import review_assign, review_close


class ViewOnlyAdmin(admin.ModelAdmin):
    """Listed, searched and read; never added, changed or deleted from here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WarningSignInline(ViewOnlyInline):
    model = WarningSign
    fields = ["kind", "noticed_on", "note"]
    readonly_fields = fields


@admin.register(Client)
class ClientAdmin(ViewOnlyAdmin):
    list_display = ["name", "company", "owner", "platform", "preferred_channel", "created_at"]
    list_filter = ["platform", "preferred_channel"]
    search_fields = ["name", "company", "email", "owner__email"]
    list_select_related = ["owner"]
    inlines = [WarningSignInline]


@admin.register(WarningSign)
class WarningSignAdmin(ViewOnlyAdmin):
    list_display = ["client", "kind", "noticed_on"]
    list_filter = ["kind"]
    search_fields = ["client__name", "note"]
    list_select_related = ["client"]


class MilestoneInline(ViewOnlyInline):
    model = Milestone
    fields = ["title", "amount", "due_date", "paid_on"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(ViewOnlyAdmin):
    list_display = ["title", "client", "owner", "price", "currency", "status", "due_date"]
    list_filter = ["status", "currency"]
    search_fields = ["title", "client__name", "owner__email"]
    list_select_related = ["client", "owner"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(ViewOnlyAdmin):
    list_display = ["title", "project", "amount", "due_date", "paid_on"]
    list_filter = [("paid_on", admin.EmptyFieldListFilter)]
    search_fields = ["title", "project__title"]
    list_select_related = ["project"]


@admin.register(ScopeAgreement)
class ScopeAgreementAdmin(ViewOnlyAdmin):
    list_display = ["project", "version", "source", "accepted_at", "accepted_via", "created_at"]
    list_filter = ["source", "accepted_via"]
    search_fields = ["project__title", "deliverables"]
    list_select_related = ["project"]


class TimelineEntryInline(ViewOnlyInline):
    model = TimelineEntry
    fk_name = "case"
    fields = ["happened_at", "kind", "channel", "body", "author", "corrects", "recorded_at"]
    readonly_fields = fields
    ordering = ["happened_at"]

    def get_queryset(self, request):
        # A freelancer's private notes are theirs: not shown to staff here either.
        return super().get_queryset(request).filter(shared=True)


class EvidenceInline(ViewOnlyInline):
    model = Evidence
    fields = ["original_name", "kind", "caption", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ViewOnlyAdmin):
    list_display = ["title", "client", "owner", "kind", "stage", "status", "amount_in_dispute", "currency", "opened_at"]
    list_filter = ["stage", "status", "kind", "currency"]
    search_fields = ["title", "client__name", "owner__email"]
    list_select_related = ["client", "owner"]
    date_hierarchy = "opened_at"
    inlines = [TimelineEntryInline, EvidenceInline]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ViewOnlyAdmin):
    list_display = ["case", "kind", "channel", "happened_at", "recorded_at", "author"]
    list_filter = ["kind", "channel"]
    search_fields = ["body", "case__title"]
    list_select_related = ["case", "author"]
    date_hierarchy = "happened_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(shared=True)


@admin.register(Evidence)
class EvidenceAdmin(ViewOnlyAdmin):
    list_display = ["original_name", "case", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "caption", "sha256", "case__title"]
    list_select_related = ["case"]


@admin.register(Concern)
class ConcernAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "case",
        "owner",
        "state",
        "received_at",
        "due_at",
        "due_soon_flagged_at",
        "overdue_flagged_at",
    ]
    list_filter = ["state", ("overdue_flagged_at", admin.EmptyFieldListFilter)]
    search_fields = ["case__title", "owner__email"]
    list_select_related = ["case", "owner"]
    date_hierarchy = "due_at"


class ReminderInline(ViewOnlyInline):
    model = Reminder
    fields = ["concern", "kind", "created_at"]
    readonly_fields = fields


class OutboxAdmin(ViewOnlyAdmin):
    """Outgoing e-mail rows (the staff page "E-mail outbox" shows their health). The retry
    action puts failed and unknown rows back in the queue; an unknown one may already have
    been delivered, so the recipient may get it twice. Sent ones are left alone."""

    list_filter = ["status"]
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Retry the selected failed or unknown e-mails (unknown ones may arrive twice)")
    def retry(self, request, queryset):
        retried = sum(outbox_retry(row=row) for row in queryset)
        self.message_user(
            request,
            (
                _("%(retried)s e-mail(s) queued again; the next sweep sends them. Sent e-mails were left alone.")
                % {"retried": retried}
            ),
            messages.SUCCESS,
        )


@admin.register(ReminderEmail)
class ReminderEmailAdmin(OutboxAdmin):
    list_display = ["id", "user", "status", "attempts", "created_at", "claimed_at", "sent_at", "message_id"]
    search_fields = ["user__email", "last_error"]
    list_select_related = ["user"]
    inlines = [ReminderInline]


@admin.register(Reminder)
class ReminderAdmin(ViewOnlyAdmin):
    list_display = ["id", "concern", "kind", "email", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["concern", "email"]


@admin.register(Notification)
class NotificationAdmin(OutboxAdmin):
    list_display = ["key", "to_email", "status", "attempts", "created_at", "claimed_at", "sent_at", "message_id"]
    search_fields = ["key", "to_email", "subject", "last_error", "message_id"]
    list_select_related = ["user"]


class ReviewActionInline(ViewOnlyInline):
    model = ReviewAction
    fields = ["at", "kind", "actor", "assignee", "recommendation", "amount", "visible_to_freelancer", "body"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ViewOnlyAdmin):
    list_display = ["case", "state", "entered_at", "assigned_to", "first_reviewed_at", "closed_at"]
    list_filter = ["state", "case__stage", ("first_reviewed_at", admin.EmptyFieldListFilter)]
    search_fields = ["case__title", "case__owner__email", "assigned_to__email"]
    list_select_related = ["case", "assigned_to"]
    inlines = [ReviewActionInline]
    actions = ["assign_to_me", "close_reviews"]

    def _each_open(self, request, queryset, perform) -> tuple[int, list[str]]:
        done, refused = 0, []
        for review in queryset.filter(state=Review.State.OPEN).select_related("case"):
            try:
                perform(review)
            except ValidationError as error:
                refused.append(f"{review.case}: {' '.join(error.messages)}")
            else:
                done += 1
        return done, refused

    def _report(self, request, done: int, refused: list[str], what: str) -> None:
        self.message_user(request, f"{done} review(s) {what}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Assign the selected reviews to me")
    def assign_to_me(self, request, queryset):
        done, refused = self._each_open(
            request, queryset, lambda review: review_assign(review=review, actor=request.user, assignee=request.user)
        )
        self._report(request, done, refused, "assigned to you")

    @admin.action(description="Close the selected reviews (the cases leave the queue)")
    def close_reviews(self, request, queryset):
        done, refused = self._each_open(
            request,
            queryset,
            lambda review: review_close(review=review, actor=request.user, reason="Closed from the operator console."),
        )
        self._report(request, done, refused, "closed")


@admin.register(ReviewAction)
class ReviewActionAdmin(ViewOnlyAdmin):
    list_display = ["review", "kind", "actor", "at", "recommendation", "visible_to_freelancer"]
    list_filter = ["kind", "recommendation", "visible_to_freelancer"]
    search_fields = ["body", "review__case__title", "actor__email"]
    list_select_related = ["review__case", "actor"]


@admin.register(MediatorInvitation)
class MediatorInvitationAdmin(ViewOnlyAdmin):
    list_display = ["email", "case", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "case__title"]
    list_select_related = ["case"]


@admin.register(MediatorAccess)
class MediatorAccessAdmin(ViewOnlyAdmin):
    list_display = ["mediator", "case", "granted_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["mediator__email", "case__title"]
    list_select_related = ["mediator", "case"]


@admin.register(SettlementProposal)
class SettlementProposalAdmin(ViewOnlyAdmin):
    list_display = ["case", "mediator", "amount", "currency", "deadline", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["case__title", "mediator__email", "terms"]
    list_select_related = ["case", "mediator"]


@admin.register(Letter)
class LetterAdmin(ViewOnlyAdmin):
    """Letters change only through the site: drafts by their author, final ones never."""

    list_display = ["subject", "case", "kind", "status", "sent_on", "deadline", "paid_at", "deadline_flagged_at"]
    list_filter = ["kind", "status", ("paid_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "case__title", "sha256"]
    list_select_related = ["case"]


@admin.register(FormSubmission)
class FormSubmissionAdmin(ViewOnlyAdmin):
    list_display = ["key", "user", "url", "created_at"]
    search_fields = ["user__email", "url"]
    list_select_related = ["user"]

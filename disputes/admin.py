"""The operator console. State fields are read-only: stage and status change only
through the ladder service, and timeline entries and fingerprints never change."""

from django.contrib import admin, messages

from disputes.models import (
    Case,
    Client,
    Concern,
    Evidence,
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
from disputes.services.review import review_assign


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WarningSignInline(admin.TabularInline):
    model = WarningSign
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "owner", "platform", "preferred_channel", "created_at"]
    list_filter = ["platform", "preferred_channel"]
    search_fields = ["name", "company", "email", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    inlines = [WarningSignInline]


@admin.register(WarningSign)
class WarningSignAdmin(admin.ModelAdmin):
    list_display = ["client", "kind", "noticed_on"]
    list_filter = ["kind"]
    search_fields = ["client__name", "note"]
    list_select_related = ["client"]
    raw_id_fields = ["client"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "owner", "price", "currency", "status", "due_date"]
    list_filter = ["status", "currency"]
    search_fields = ["title", "client__name", "owner__email"]
    list_select_related = ["client", "owner"]
    raw_id_fields = ["owner", "client"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "amount", "due_date", "paid_on"]
    list_filter = ["paid_on"]
    search_fields = ["title", "project__title"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]


@admin.register(ScopeAgreement)
class ScopeAgreementAdmin(admin.ModelAdmin):
    list_display = ["project", "version", "source", "accepted_at", "accepted_via", "created_at"]
    list_filter = ["source", "accepted_via"]
    search_fields = ["project__title", "deliverables"]
    list_select_related = ["project"]

    def has_change_permission(self, request, obj=None):
        return False  # A version is never edited; a change is a new version.


class TimelineEntryInline(ReadOnlyInline):
    model = TimelineEntry
    fk_name = "case"
    fields = ["happened_at", "kind", "channel", "body", "author", "corrects", "recorded_at"]
    readonly_fields = fields
    ordering = ["happened_at"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["original_name", "kind", "caption", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "owner", "kind", "stage", "status", "amount_in_dispute", "currency", "opened_at"]
    list_filter = ["stage", "status", "kind", "currency"]
    search_fields = ["title", "client__name", "owner__email"]
    list_select_related = ["client", "owner"]
    raw_id_fields = ["owner", "project", "client"]
    readonly_fields = ["stage", "status", "stage_changed_at", "outcome", "closed_at", "opened_at", "updated_at"]
    date_hierarchy = "opened_at"
    inlines = [TimelineEntryInline, EvidenceInline]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "channel", "happened_at", "recorded_at", "author"]
    list_filter = ["kind", "channel"]
    search_fields = ["body", "case__title"]
    list_select_related = ["case", "author"]
    date_hierarchy = "happened_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "case", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "caption", "sha256", "case__title"]
    list_select_related = ["case"]

    def has_add_permission(self, request):
        return False  # Evidence comes in through the case page, which checks every file.

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
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


class ReminderInline(ReadOnlyInline):
    model = Reminder
    fields = ["concern", "kind", "created_at"]
    readonly_fields = fields


class OutboxAdmin(admin.ModelAdmin):
    """Outgoing e-mail rows. Stuck ones are "sending" with an old claim time: the
    worker died mid-send. The retry action puts failed or stuck rows back in the
    queue (the recipient may then get a stuck one twice); sent ones are left alone."""

    list_filter = ["status"]
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected failed or stuck e-mails")
    def retry(self, request, queryset):
        retried = sum(outbox_retry(row=row) for row in queryset)
        self.message_user(
            request,
            f"{retried} e-mail(s) queued again; the next sweep sends them. Sent e-mails were left alone.",
            messages.SUCCESS,
        )


@admin.register(ReminderEmail)
class ReminderEmailAdmin(OutboxAdmin):
    list_display = ["id", "user", "status", "attempts", "created_at", "claimed_at", "sent_at", "next_attempt_at"]
    search_fields = ["user__email", "last_error"]
    list_select_related = ["user"]
    inlines = [ReminderInline]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["id", "concern", "kind", "email", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["concern", "email"]


@admin.register(Notification)
class NotificationAdmin(OutboxAdmin):
    list_display = ["key", "to_email", "status", "attempts", "created_at", "claimed_at", "sent_at"]
    search_fields = ["key", "to_email", "subject", "last_error"]
    list_select_related = ["user"]


class ReviewActionInline(ReadOnlyInline):
    model = ReviewAction
    fields = ["at", "kind", "actor", "assignee", "recommendation", "amount", "visible_to_freelancer", "body"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["case", "state", "entered_at", "assigned_to", "first_reviewed_at", "closed_at"]
    list_filter = ["state", "case__stage", ("first_reviewed_at", admin.EmptyFieldListFilter)]
    search_fields = ["case__title", "case__owner__email", "assigned_to__email"]
    list_select_related = ["case", "assigned_to"]
    readonly_fields = [f.name for f in Review._meta.fields]
    inlines = [ReviewActionInline]
    actions = ["assign_to_me"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Assign the selected reviews to me")
    def assign_to_me(self, request, queryset):
        done = 0
        for review in queryset.filter(state=Review.State.OPEN):
            review_assign(review=review, actor=request.user, assignee=request.user)
            done += 1
        self.message_user(request, f"{done} review(s) assigned to you.", messages.SUCCESS)


@admin.register(ReviewAction)
class ReviewActionAdmin(ReadOnlyAdmin):
    list_display = ["review", "kind", "actor", "at", "recommendation", "visible_to_freelancer"]
    list_filter = ["kind", "recommendation", "visible_to_freelancer"]
    search_fields = ["body", "review__case__title", "actor__email"]
    list_select_related = ["review__case", "actor"]


@admin.register(MediatorInvitation)
class MediatorInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "case", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "case__title"]
    list_select_related = ["case"]


@admin.register(MediatorAccess)
class MediatorAccessAdmin(ReadOnlyAdmin):
    list_display = ["mediator", "case", "granted_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["mediator__email", "case__title"]
    list_select_related = ["mediator", "case"]


@admin.register(SettlementProposal)
class SettlementProposalAdmin(ReadOnlyAdmin):
    list_display = ["case", "mediator", "amount", "currency", "deadline", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["case__title", "mediator__email", "terms"]
    list_select_related = ["case", "mediator"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    """Letters change only through the site: drafts by their author, final ones never."""

    list_display = ["subject", "case", "kind", "status", "sent_on", "deadline", "paid_at", "deadline_flagged_at"]
    list_filter = ["kind", "status", ("paid_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "case__title", "sha256"]
    list_select_related = ["case"]

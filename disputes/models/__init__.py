"""Clients, projects, scope agreements, dispute cases, their timeline and evidence.

Reads start from the queryset methods (`for_owner`); writes go through
`disputes.services`. Models hold no rules of their own beyond field
validation; the rules are in `disputes.rules`.
"""

from disputes.models.cases import AppendOnlyError, Case, CaseQuerySet, TimelineEntry
from disputes.models.checks import CasefileCheck, EvidenceCheck
from disputes.models.clock import Concern, Reminder, ReminderEmail
from disputes.models.common import Channel, OwnedQuerySet, currency_validator, money_validator
from disputes.models.deadlines import CalendarFeed, Deadline, DeadlineTemplate, Ticket
from disputes.models.evidence import (
    Evidence,
    EvidenceCopy,
    EvidenceTag,
    copy_upload_to,
    evidence_upload_to,
    thumbnail_upload_to,
)
from disputes.models.heartbeat import Heartbeat
from disputes.models.letters import Letter, letter_upload_to
from disputes.models.mail import ClientMail, ReceivedMessage, raw_mail_upload_to
from disputes.models.offers import Offer
from disputes.models.outbox import Notification, OutboxRow
from disputes.models.parties import Client, Milestone, Project, ScopeAgreement, WarningSign
from disputes.models.phrases import Phrase
from disputes.models.record import CasefileExport, FieldChange, Seal, SealTimestamp
from disputes.models.review import (
    MediatorAccess,
    MediatorInvitation,
    Review,
    ReviewAction,
    SettlementProposal,
)
from disputes.models.submissions import FormSubmission
from disputes.models.tallies import CaseTally, ClosedTally, OpenedTally

__all__ = [
    "AppendOnlyError",
    "CalendarFeed",
    "Case",
    "CaseQuerySet",
    "CaseTally",
    "CasefileCheck",
    "CasefileExport",
    "Channel",
    "Client",
    "ClientMail",
    "ClosedTally",
    "Concern",
    "Deadline",
    "DeadlineTemplate",
    "Evidence",
    "EvidenceCheck",
    "EvidenceCopy",
    "EvidenceTag",
    "FieldChange",
    "FormSubmission",
    "Heartbeat",
    "Letter",
    "MediatorAccess",
    "MediatorInvitation",
    "Milestone",
    "Notification",
    "Offer",
    "OpenedTally",
    "OutboxRow",
    "OwnedQuerySet",
    "Phrase",
    "Project",
    "ReceivedMessage",
    "Reminder",
    "ReminderEmail",
    "Review",
    "ReviewAction",
    "ScopeAgreement",
    "Seal",
    "SealTimestamp",
    "SettlementProposal",
    "Ticket",
    "TimelineEntry",
    "WarningSign",
    "copy_upload_to",
    "currency_validator",
    "evidence_upload_to",
    "letter_upload_to",
    "money_validator",
    "raw_mail_upload_to",
    "thumbnail_upload_to",
]

"""The periodic sweep: one orchestrator calling named steps, each with its own counts.

Beat runs it every SWEEP_INTERVAL_SECONDS (`disputes.tasks.sweep`);
`python manage.py sweep` runs the same thing by hand or from cron. The steps
run in this order, all against the same `now`:

1. concerns   flag concerns due soon or overdue; write reminder e-mails;
2. letters    flag letter deadlines that passed unpaid; queue their e-mails;
3. milestones  flag payments past their due date, once each; queue their e-mails;
4. deadlines  warn 48 h and 24 h before each outside deadline, flag it once it
              has passed; queue their e-mails;
5. outbox     take back claims whose lease ran out, then send every e-mail
              row due by `now` (reminders and one-off notifications), each
              claimed before it is sent;
6. client mail  send mail to clients that is due (scheduled, held, retried),
              and put on the timeline any the server accepted that is not
              there yet;
7. housekeeping  forget form-submission keys older than a day, and accounts
              whose sign-up link was never followed.

Because the earlier steps queue their e-mails as due at the sweep's `now`,
the outbox step of the same sweep sends them: a passed letter deadline is
e-mailed in the sweep that flags it. Each step is safe to run from several
processes at once (see its module).
"""

import datetime
import uuid
from dataclasses import asdict, dataclass

from django.utils import timezone

from accounts.services import unconfirmed_accounts_purge
from disputes.health import sweep_beat
from disputes.models import Notification, ReminderEmail
from disputes.services.deadlines import deadlines_warn
from disputes.services.imports import imports_clean
from disputes.services.letter_tracking import LettersStep, letters_flag_due
from disputes.services.mail_out import mail_send_due
from disputes.services.notifications import notifications_send_due
from disputes.services.offers import offers_expire
from disputes.services.outbox import Outcome, outbox_reclaim
from disputes.services.projects import milestones_flag_overdue
from disputes.services.reminders import ConcernsStep, concerns_flag, reminder_emails_send_due
from disputes.services.submissions import submissions_prune


@dataclass(frozen=True)
class OutboxStep:
    sent: int
    failed: int
    # Sent, then no answer: may have arrived, so not sent again (see services.outbox).
    unknown: int = 0
    # Claims whose worker died: sent again (not handed over) or marked unknown (handed over).
    reclaimed: int = 0


@dataclass(frozen=True)
class SweepResult:
    sweep: str
    concerns: ConcernsStep
    letters: LettersStep
    outbox: OutboxStep
    submissions_pruned: int
    milestones_overdue: int = 0
    client_mail: dict | None = None
    imports_cleaned: int = 0
    deadlines: dict | None = None
    offers_expired: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        c, o = self.concerns, self.outbox
        return (
            f"Concerns: {c.overdue} overdue, {c.due_soon} due soon flagged; "
            f"letters: {self.letters.flagged} deadline(s) passed; "
            f"e-mails: {o.sent} sent, {o.failed} failed, {o.unknown} of unknown fate"
            + (f", {o.reclaimed} taken back from stopped senders" if o.reclaimed else "")
            + f"; milestones: {self.milestones_overdue} newly past due"
            + (f"; offers: {self.offers_expired} expired" if self.offers_expired else "")
            + (f"; outside deadlines: {self.deadlines['48h']} warned at 48 h, {self.deadlines['24h']} at 24 h, "
               f"{self.deadlines['missed']} passed" if self.deadlines else "")
            + (f"; mail to clients: {self.client_mail['sent']} sent, {self.client_mail['failed']} failed."
               if self.client_mail else ".")
        )  # fmt: skip


def outbox_deliver(*, now: datetime.datetime) -> OutboxStep:
    """The sweep's outbox step: take back expired claims, then send every reminder and notification due."""
    reclaimed = 0
    for model in (ReminderEmail, Notification):
        retry, unknown = outbox_reclaim(model=model, now=now)
        reclaimed += retry + unknown
    counts = reminder_emails_send_due(now=now)
    for outcome, n in notifications_send_due(now=now).items():
        counts[outcome] += n
    return OutboxStep(
        sent=counts[Outcome.SENT],
        failed=counts[Outcome.FAILED],
        unknown=counts[Outcome.UNKNOWN],
        reclaimed=reclaimed,
    )


def sweep_run(*, now: datetime.datetime | None = None) -> SweepResult:
    """Run every step once, in order, against one `now`."""
    now = now or timezone.now()
    token = uuid.uuid4()
    concerns = concerns_flag(now=now, token=token)
    letters = letters_flag_due(now=now)
    milestones = milestones_flag_overdue(now=now)
    deadlines = deadlines_warn(now=now)
    offers = offers_expire(now=now)
    outbox = outbox_deliver(now=now)
    client_mail = mail_send_due(now=now)
    pruned = submissions_prune(now=now)
    cleaned = imports_clean(now=now)
    sweep_beat(now)
    unconfirmed_accounts_purge(now=now)
    return SweepResult(
        sweep=str(token),
        concerns=concerns,
        letters=letters,
        outbox=outbox,
        submissions_pruned=pruned,
        milestones_overdue=milestones,
        client_mail=client_mail,
        imports_cleaned=cleaned,
        deadlines=deadlines,
        offers_expired=offers,
    )

"""A reminder e-mail's subject counts what its body lists: overdue and due-soon concerns alike."""

import datetime as dt

import pytest
import time_machine

from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


def message_at(case, when):
    with time_machine.travel(when, tick=False):
        entry_add(case=case, author=case.owner, kind="message_in", channel="email", body="Hello?", happened_at=when)


def test_one_overdue_and_one_due_soon_are_both_in_the_subject(owner, mailoutbox):
    message_at(CaseFactory(project__client__owner=owner, title="Logo"), T0)
    message_at(CaseFactory(project__client__owner=owner, title="Website"), T0 + dt.timedelta(hours=4))
    with time_machine.travel(T0 + dt.timedelta(hours=24, minutes=5), tick=False):  # first late, second 4 h left
        sweep_run()
    [mail] = mailoutbox
    assert mail.subject == "Settle: 1 client concern past the response window, 1 due soon"
    assert "1 client concern went past the response window. 1 more is due soon." in mail.body
    assert mail.body.count("OVERDUE by") == 1 and mail.body.count("Due in") == 1


def test_due_soon_alone_counts_its_concerns(owner, mailoutbox):
    for title in ("Logo", "Website"):
        message_at(CaseFactory(project__client__owner=owner, title=title), T0)
    with time_machine.travel(T0 + dt.timedelta(hours=21), tick=False):
        sweep_run()
    [mail] = mailoutbox
    assert mail.subject == "Settle: 2 client concerns due soon"
    assert "2 client concerns need an answer soon." in mail.body

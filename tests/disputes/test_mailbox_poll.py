"""The IMAP poll against a real Dovecot: replies are filed once, the mailbox is marked, nothing is lost."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from disputes.models import TimelineEntry
from disputes.services.mailbox import Mailbox, mailbox_poll
from disputes.tasks import poll_mailbox
from tests.disputes.test_mail_in import reply

pytestmark = pytest.mark.django_db


def test_replies_in_the_mailbox_are_filed_once_and_marked_seen(case, imap_server):
    imap_server.deliver(reply(case))
    imap_server.deliver(reply(case, message_id="<second@client.example>", body="And another thing."))
    stray = reply(case, message_id="<stray@x>").replace(b"reply+", b"other+")
    imap_server.deliver(stray)
    imap_server.deliver(b"Not an e-mail at all, just bytes")
    result = mailbox_poll(imap_server.url)
    assert result.seen == 4 and result.outcomes == {"filed": 2, "no_case": 1, "unreadable": 1}
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 2
    assert imap_server.unseen() == 0
    # A later poll finds nothing new; the same message delivered again is filed once.
    assert mailbox_poll(imap_server.url).seen == 0
    imap_server.deliver(reply(case))
    assert mailbox_poll(imap_server.url).outcomes == {"duplicate": 1}
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 2


def test_the_task_polls_the_configured_mailbox_and_does_nothing_without_one(case, imap_server, settings):
    settings.MAIL_IN_IMAP_URL = ""
    assert poll_mailbox() == {"seen": 0}
    settings.MAIL_IN_IMAP_URL = imap_server.url
    imap_server.deliver(reply(case))
    assert poll_mailbox() == {"seen": 1, "filed": 1}


def test_a_wrong_password_or_url_is_a_clear_error(imap_server):
    import imaplib

    with pytest.raises(imaplib.IMAP4.error):
        mailbox_poll(imap_server.url.replace("mailbox-secret", "wrong"))
    for url in ("http://x/", "imaps://host-without-user/INBOX", "imap:///"):
        with pytest.raises(ImproperlyConfigured):
            Mailbox.from_url(url)
    parsed = Mailbox.from_url("imaps://me%40example.com:p%3Ass@imap.example.com/Settle%20replies")
    assert (parsed.user, parsed.password, parsed.port, parsed.folder) == (
        "me@example.com",
        "p:ss",
        993,
        "Settle replies",
    )

"""Reading WhatsApp exports from different phones and languages (no database)."""

import datetime as dt

import pytest

from disputes import chatparse, mailparse
from disputes.rules import tone


def test_an_iphone_export_in_german_with_seconds_and_marks():
    text = (
        "\u200e[13.05.26, 21:05:33] Ana Ruiz: Hallo, wo ist das Logo?\n"
        "[13.05.26, 21:07:01] Ich: Morgen früh.\n"
        "\u200e[14.05.26, 08:00:00] Ana Ruiz: \u200e<angehängt: 00000012-PHOTO-2026-05-14.jpg>\n"
    )
    chat = chatparse.parse(text)
    assert chat.senders == ("Ana Ruiz", "Ich") and chat.day_first and chat.order_known
    assert chat.messages[0].at == dt.datetime(2026, 5, 13, 21, 5, 33)
    assert chat.messages[2].attachment == "00000012-PHOTO-2026-05-14.jpg" and chat.messages[2].text == ""


def test_a_spanish_export_with_a_twelve_hour_clock():
    chat = chatparse.parse("5/14/26, 9:05 p. m. - Ana: ¿Y el pago?\n5/14/26, 12:10 a. m. - Ana: Hola\n")
    assert not chat.day_first
    assert [m.at for m in chat.messages] == [dt.datetime(2026, 5, 14, 21, 5), dt.datetime(2026, 5, 14, 0, 10)]


def test_an_ambiguous_order_is_said_and_can_be_chosen():
    text = "03/04/2026, 10:00 - Ana: one\n"
    assert not chatparse.parse(text).order_known
    assert chatparse.parse(text, day_first=False).messages[0].at.month == 3


def test_an_impossible_date_for_the_chosen_order_names_the_line():
    with pytest.raises(chatparse.ChatUnreadable, match="Line 1"):
        chatparse.parse("31/12/2026, 10:00 - Ana: hi\n", day_first=False)


def test_text_in_utf16_is_read_and_binary_is_refused():
    assert "Ana" in chatparse.read_text("01/01/2026, 10:00 - Ana: hi\n".encode("utf-16"))
    with pytest.raises(chatparse.ChatUnreadable):
        chatparse.read_text(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x02\x80\x81\x82" * 3)


def test_html_is_reduced_to_safe_text():
    text = mailparse.html_to_text('<div>Hi<br>there<img src=x onerror="alert(1)"></div><style>p{}</style>&amp; bye')
    assert text == "Hi\nthere\n& bye"


@pytest.mark.parametrize(
    ("text", "heated"),
    [
        ("Thanks, I will look at it tomorrow.", False),
        ("The invoice total is 400 EUR, due on 1 June (PDF attached).", False),
        ("YOU HAVE NOT DELIVERED ANYTHING AT ALL", True),
        ("Where is it?!! Answer me!!!", True),
        ("You always do this.", True),
        ("This is unacceptable and unprofessional.", True),
        ("I will call my lawyer.", True),
    ],
)
def test_tone_hints(text, heated):
    assert tone.is_heated(text) is heated

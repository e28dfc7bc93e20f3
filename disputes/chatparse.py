"""Reading a WhatsApp chat export (`_chat.txt` or `WhatsApp Chat with ….txt`). No database here.

Exports differ by phone and language: Android writes `31/12/2023, 21:41 - Ana: text`,
iPhones `[31/12/2023, 21:41:05] Ana: text`, with day and month in either
order, dots or slashes or dashes, two- or four-digit years, a 24-hour or an
AM/PM clock (in several languages' spellings), and invisible direction marks.
A message may run over several lines. Lines without a sender are the app's
own notices (encryption, group changes) and are skipped.

The times carry no zone: the person importing says which zone the phone was
in. The day/month order is read from the data where a day above 12 shows it;
otherwise the importer chooses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"), None)
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})
_LINE = re.compile(
    r"^\[?(?P<a>\d{1,4})[./-](?P<b>\d{1,2})[./-](?P<c>\d{2,4}),?\s+"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?\s*(?P<ampm>[apAP]\.?\s?[mM]\.?)?\]?"
    r"\s*(?:-\s*)?(?P<rest>.*)$"
)
_ATTACHED = re.compile(r"^<(?:attached|anexo|adjunto|angehängt|pièce jointe|allegato):\s*(?P<name>[^>]+)>$", re.I)
_FILE_ATTACHED = re.compile(r"^(?P<name>[\w.-]+\.\w{2,5}) \((?:file attached|Datei angehängt|archivo adjunto)\)$")
MAX_MESSAGES = 20_000


class ChatUnreadable(ValueError):
    """Not a chat export Settle can read; the text says why."""


@dataclass(frozen=True)
class ChatMessage:
    at: dt.datetime  # naive: the phone's local time
    sender: str
    text: str
    attachment: str = ""


@dataclass(frozen=True)
class Chat:
    messages: tuple[ChatMessage, ...]
    senders: tuple[str, ...]
    day_first: bool
    order_known: bool  # whether the data itself showed the day/month order


def _clean(line: str) -> str:
    return line.translate(_MARKS).translate(_SPACES).rstrip("\r\n")


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _stamp(match: re.Match, day_first: bool) -> dt.datetime:
    a, b, c = int(match["a"]), int(match["b"]), int(match["c"])
    if len(match["a"]) == 4:  # 2023-12-31
        year, month, day = a, b, c
    elif day_first:
        day, month, year = a, b, _year(c)
    else:
        month, day, year = a, b, _year(c)
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return dt.datetime(year, month, day, hour, minute, second)


def read_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ChatUnreadable(_("The chat file is not text in UTF-8 or UTF-16. Export the chat again from the phone."))


def parse(text: str, *, day_first: bool | None = None) -> Chat:
    """Read an export. `day_first` None: read the order from the data (day first if it cannot tell)."""
    raw_lines = [_clean(line) for line in text.splitlines()]
    stamped = [(line, _LINE.match(line)) for line in raw_lines]
    starts = [m for _, m in stamped if m and len(m["a"]) < 4]
    order_known = True
    if day_first is None:
        if any(int(m["a"]) > 12 for m in starts):
            day_first = True
        elif any(int(m["b"]) > 12 for m in starts):
            day_first = False
        else:
            day_first, order_known = True, False
    messages: list[ChatMessage] = []
    current: dict | None = None
    seen_any_stamp = False
    for number, (line, match) in enumerate(stamped, start=1):
        if match and ": " in match["rest"]:
            seen_any_stamp = True
            try:
                at = _stamp(match, day_first)
            except ValueError:
                raise ChatUnreadable(
                    _(
                        "Line %(number)s has a date that does not exist with the %(day)s order: “%(line)s”. Try "
                        "the other order."
                    )
                    % {"number": number, "day": "day/month" if day_first else "month/day", "line": line[:60]}
                ) from None
            sender, _separator, body = match["rest"].partition(": ")
            if current:
                messages.append(_finish(current))
            current = {"at": at, "sender": sender.strip()[:200], "lines": [body]}
        elif match:
            seen_any_stamp = True
            if current:
                messages.append(_finish(current))
            current = None  # a notice from the app itself
        elif current is not None:
            current["lines"].append(line)
        if len(messages) > MAX_MESSAGES:
            raise ChatUnreadable(
                _("The chat has more than %(messages)s messages. Export a shorter period.")
                % {"messages": number_format(MAX_MESSAGES, force_grouping=True)}
            )
    if current:
        messages.append(_finish(current))
    if not seen_any_stamp or not messages:
        raise ChatUnreadable(
            "No chat messages were found. Settle reads WhatsApp exports (“Export chat” in the chat's menu): "
            "lines like “31/12/2023, 21:41 - Name: message”."
        )
    senders = tuple(dict.fromkeys(message.sender for message in messages))
    return Chat(messages=tuple(messages), senders=senders, day_first=day_first, order_known=order_known)


def _finish(current: dict) -> ChatMessage:
    text = "\n".join(current["lines"]).strip()
    attachment = ""
    first = text.splitlines()[0] if text else ""
    for pattern in (_ATTACHED, _FILE_ATTACHED):
        found = pattern.match(first)
        if found:
            attachment = found["name"].strip()
            text = text[len(first) :].strip()
            break
    return ChatMessage(at=current["at"], sender=current["sender"], text=text, attachment=attachment)

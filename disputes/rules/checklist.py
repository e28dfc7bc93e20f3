"""The evidence a platform or a mediator asks for, by kind of case: pure Python, no Django.

Each kind of case has a short list of items. An item is there when a file is
tagged with it, when a file of a kind that fits it is on the case (an invoice
for "invoices"), or when the record itself holds it (an accepted scope
agreement, the client's own messages on the timeline). The case shows what is
there, what is missing and a completeness figure; nothing is blocked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass


def _(text: str) -> str:
    """Marks a label for the translation catalogue; pages show it through gettext (the rules stay pure)."""
    return text


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    hint: str
    evidence_kinds: tuple[str, ...] = ()  # files of these kinds count for the item
    fact: str = ""  # or this fact of the record (see FACTS)


ITEMS: dict[str, Item] = {
    item.key: item
    for item in (
        Item(
            "scope",
            _("The scope the client accepted"),
            _("The scope agreement with its acceptance, or the signed contract."),
            ("contract",),
            "scope_accepted",
        ),
        Item(
            "client_messages",
            _("The client's own messages"),
            _("Their words about the problem: e-mails, chat, screenshots."),
            ("email", "chat", "screenshot"),
            "client_messages",
        ),
        Item(
            "delivery",
            _("Proof of delivery"),
            _("What you delivered and when: files sent, links, hand-over messages."),
            ("deliverable",),
        ),
        Item(
            "invoices",
            _("Invoices and payment records"),
            _("Every invoice sent, and what was paid when."),
            ("invoice",),
        ),
        Item(
            "payment_terms",
            _("The payment terms agreed"),
            _("Prepayment, due dates, late fees: the contract or the message."),
            ("contract",),
        ),
        Item(
            "work_as_delivered",
            _("The work as delivered"),
            _("Screenshots or photos of the delivered work, before and after."),
            ("photo", "deliverable"),
        ),
        Item(
            "revision_requests",
            _("The client's change requests"),
            _("What the client asked to change, and what you did."),
        ),
        Item("time_records", _("Time records"), _("Hours logged, work diary or tracker export.")),
        Item(
            "dates_agreed",
            _("The dates agreed, and changes to them"),
            _("The schedule in the scope, and every later move."),
            ("contract",),
            "scope_accepted",
        ),
        Item(
            "cause_of_delay",
            _("What caused the delay"),
            _("Late inputs or approvals from the client, in their words."),
            ("email", "chat", "screenshot"),
        ),
        Item(
            "conduct",
            _("The messages that show the conduct"),
            _("Unedited, with dates, as the client sent them."),
            ("email", "chat", "screenshot"),
        ),
        Item("payment_trail", _("The payment trail"), _("Transaction records, chargeback or dispute notices.")),
        Item("identity", _("What you know of who the client is"), _("Profile, company register, addresses used.")),
    )
}

BY_CASE_KIND: dict[str, tuple[str, ...]] = {
    "billing": ("scope", "invoices", "delivery", "payment_terms", "client_messages"),
    "quality": ("scope", "delivery", "work_as_delivered", "revision_requests", "client_messages"),
    "scope": ("scope", "revision_requests", "client_messages", "time_records"),
    "deadline": ("dates_agreed", "delivery", "cause_of_delay", "client_messages"),
    "conduct": ("conduct", "scope", "client_messages"),
    "fraud": ("payment_trail", "identity", "delivery", "client_messages"),
}

# The record's own facts an item can rest on: the words shown when it does.
FACTS = {
    "scope_accepted": _("an accepted scope agreement is on the project"),
    "client_messages": _("the client's messages are on the timeline"),
}


@dataclass(frozen=True)
class Line:
    item: Item
    done: bool
    how: str  # why it counts as there ("2 files tagged", ...), or "" when missing
    basis: str = ""  # which: "tagged", "fitting" or "fact"
    count: int = 0  # the files it rests on


@dataclass(frozen=True)
class Checklist:
    lines: tuple[Line, ...]

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.lines)) if self.lines else 100

    @property
    def missing(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.done)


def choices(case_kind: str) -> list[tuple[str, str]]:
    """The items a file on a case of this kind can be tagged with."""
    return [(key, ITEMS[key].label) for key in BY_CASE_KIND.get(case_kind, ())]


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def build(
    case_kind: str, *, tagged: Mapping[str, int], file_kinds: Mapping[str, int], facts: Collection[str]
) -> Checklist:
    """`tagged`: files per checklist item; `file_kinds`: files per evidence kind that are not tagged
    to another item; `facts`: the FACTS the record holds."""
    lines = []
    for key in BY_CASE_KIND.get(case_kind, ()):
        item = ITEMS[key]
        fitting = sum(file_kinds.get(kind, 0) for kind in item.evidence_kinds)
        if tagged.get(key):
            lines.append(Line(item, True, f"{_files(tagged[key])} tagged", "tagged", tagged[key]))
        elif fitting:
            lines.append(Line(item, True, f"{_files(fitting)} of a fitting kind", "fitting", fitting))
        elif item.fact and item.fact in facts:
            lines.append(Line(item, True, FACTS[item.fact], "fact"))
        else:
            lines.append(Line(item, False, ""))
    return Checklist(tuple(lines))


def for_case(case_kind: str, files, *, scope_accepted: bool, client_messages: bool) -> Checklist:
    """The checklist of a case from its files (anything with `kind` and `checklist_item`) and the
    two facts of its record."""
    tagged: dict[str, int] = {}
    file_kinds: dict[str, int] = {}
    for item in files:
        if item.checklist_item:
            tagged[item.checklist_item] = tagged.get(item.checklist_item, 0) + 1
        else:
            file_kinds[item.kind] = file_kinds.get(item.kind, 0) + 1
    facts = {name for name, held in (("scope_accepted", scope_accepted), ("client_messages", client_messages)) if held}
    return build(case_kind, tagged=tagged, file_kinds=file_kinds, facts=facts)

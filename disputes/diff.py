"""What changed between two versions of a scope agreement."""

import difflib
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from disputes.formatting import format_money
from disputes.models import ScopeAgreement


@dataclass
class Change:
    name: str
    label: str
    old: str
    new: str
    # For long text: lines marked "+" (added), "-" (removed) or " " (kept).
    lines: list[tuple[str, str]] = field(default_factory=list)


def _display(agreement: ScopeAgreement, name: str) -> str:
    value = getattr(agreement, name)
    model_field = agreement._meta.get_field(name)
    if model_field.choices:
        return str(getattr(agreement, f"get_{name}_display")())
    if value is None:
        return ""
    if name == "price":
        return format_money(value, agreement.currency)
    if name == "accepted_at":
        return date_format(timezone.localtime(value), "j M Y, H:i T")
    return str(value)


def agreement_changes(old: ScopeAgreement, new: ScopeAgreement) -> list[Change]:
    """The terms that differ between two versions, with line diffs for long text."""
    changes = []
    for name in ScopeAgreement.TERMS:
        before, after = _display(old, name), _display(new, name)
        if before == after:
            continue
        label = str(ScopeAgreement._meta.get_field(name).verbose_name).capitalize()
        lines: list[tuple[str, str]] = []
        if "\n" in before or "\n" in after or len(before) > 80 or len(after) > 80:
            for line in difflib.ndiff(before.splitlines(), after.splitlines()):
                if line.startswith(("+ ", "- ", "  ")):
                    lines.append((line[0], line[2:]))
        changes.append(Change(name=name, label=label, old=before, new=after, lines=lines))
    return changes

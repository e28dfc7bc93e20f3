"""The pieces of a case-file check: bounded reading of an untrusted ZIP, and the proofs inside it.

`services.verification` walks the ZIP and the files; this module reads what
it must parse (manifest, timeline, signature, token) within `VerifyLimits`,
and checks the signature, the timeline's chain, the seals and the trusted
timestamp, each writing its own finding onto the report it is given
(a `services.verification.Verification`).
"""

from __future__ import annotations

import base64
import binascii
import json
import zipfile
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

from disputes import signing, timestamps
from disputes.rules import chain as chain_rules
from disputes.services.casefile import SIGNATURE, TIMELINE
from disputes.timestamps import TokenCheck

MB = 1024 * 1024


@dataclass(frozen=True)
class VerifyLimits:
    members: int = 5_000
    member_bytes: int = 100 * MB
    total_bytes: int = 1024 * MB
    manifest_bytes: int = 1 * MB
    manifest_depth: int = 10
    seconds: float = 60.0

    @classmethod
    def from_settings(cls) -> VerifyLimits:
        return cls(
            members=settings.CASEFILE_VERIFY_MAX_MEMBERS,
            member_bytes=settings.CASEFILE_VERIFY_MAX_MEMBER_MB * MB,
            total_bytes=settings.CASEFILE_VERIFY_MAX_MB * MB,
            seconds=float(settings.CASEFILE_VERIFY_SECONDS),
        )


class Refused(Exception):
    """The file is over a limit or malformed; the message says which, for the person who sent it."""


@dataclass(frozen=True)
class TrustedKey:
    key: Ed25519PublicKey
    # How the page names it: "this installation's current key", "the key you gave", ...
    label: str


def installation_keys() -> dict[str, TrustedKey]:
    """This installation's signing keys, current and retired, by fingerprint."""
    keys = {}
    for public in signing.public_keys():
        label = (
            "this installation's current key"
            if public.is_current
            else f"a key this installation used until {public.retired_at:%d %B %Y}"
        )
        keys[public.fingerprint] = TrustedKey(public.key, label)
    return keys


def given_keys(texts: list[bytes | str]) -> dict[str, TrustedKey]:
    """Keys a person supplies (PEM or base64). Raises ValueError naming the problem."""
    keys = {}
    for text in texts:
        key = signing.load_public_key(text)
        keys[signing.fingerprint_of(key)] = TrustedKey(key, "the public key you gave")
    return keys


def depth(value, limit: int) -> int:
    """How deeply lists and objects nest, without recursion (a hostile manifest can nest deeply)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
    if info.file_size > limit:
        raise Refused(
            _("Its %(what)s is %(mb)s MB, far larger than a Settle case file's.")
            % {"what": what, "mb": f"{info.file_size / MB:.1f}"}
        )
    with archive.open(info) as stream:
        raw = stream.read(limit + 1)
    if len(raw) > limit or len(raw) != info.file_size:
        raise Refused(_("Its %(what)s is not the size its header says. It is not a Settle case file.") % {"what": what})
    return raw


def parse_json(raw: bytes, limits: VerifyLimits, what: str):
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused(_("The %(what)s cannot be read.") % {"what": what}) from None
    if depth(value, limits.manifest_depth) > limits.manifest_depth:
        raise Refused(_("The %(what)s is nested too deeply to be a Settle case file.") % {"what": what})
    return value


def check_signature(archive, by_name, raw_manifest: bytes, manifest: dict, keys, report) -> None:
    """Which key signed manifest.json, and whether the signature holds."""
    if SIGNATURE not in by_name:
        report.signature = "missing"
        return
    signature = read_small(archive, by_name[SIGNATURE], 1024, "signature")
    claimed = manifest.get("signing_key") if isinstance(manifest.get("signing_key"), dict) else {}
    fingerprint = str(claimed.get("fingerprint", ""))
    trusted = keys.get(fingerprint)
    if trusted is None:
        # Not a key trusted here. Is it at least a sound signature by the key the file names?
        try:
            named = signing.load_public_key(str(claimed.get("public_key", "")))
        except ValueError:
            named = None
        if named is not None and signing.fingerprint_of(named) == fingerprint:
            report.key_fingerprint = fingerprint
            valid = signing.signature_holds(named, signature, raw_manifest)
            report.signature = "unknown_key" if valid else "invalid"
            return
        # The file names no usable key: try every trusted one.
        for candidate_fingerprint, candidate in keys.items():
            if signing.signature_holds(candidate.key, signature, raw_manifest):
                report.signature, report.key_fingerprint = "valid", candidate_fingerprint
                report.key_label = candidate.label
                return
        report.signature, report.key_fingerprint = "invalid", fingerprint
        return
    report.key_fingerprint, report.key_label = fingerprint, trusted.label
    report.signature = "valid" if signing.signature_holds(trusted.key, signature, raw_manifest) else "invalid"


def check_timeline(archive, by_name, listed, manifest: dict, keys, limits: VerifyLimits, report):
    """Recompute the timeline's chain from timeline.json and compare it with the manifest's head."""
    if TIMELINE not in listed or TIMELINE not in by_name:
        report.chain_problem = "The case file has no timeline.json, so its timeline cannot be checked."
        return
    # Even when timeline.json itself does not match the manifest (reported with the files), its chain is
    # walked, so the verdict names the first entry that was changed, removed or moved.
    document = parse_json(read_small(archive, by_name[TIMELINE], limits.member_bytes, TIMELINE), limits, TIMELINE)
    stated = manifest.get("chain") if isinstance(manifest.get("chain"), dict) else {}
    case_id = (manifest.get("case") or {}).get("id") if isinstance(manifest.get("case"), dict) else None
    try:
        links = _links(document, case_id)
        report.chain = chain_rules.verify_chain(
            links, expected_head=str(stated.get("head", "")), expected_length=int(stated.get("length", -1))
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        report.chain_problem = "timeline.json cannot be read as a Settle timeline."
        return
    if report.chain.ok:
        check_seals(document.get("seals") or [], links, case_id, keys, report)


def _links(document: dict, case_id) -> list[chain_rules.Link]:
    links = []
    for item in document["entries"]:
        content = item.get("content")
        if content is not None and (not isinstance(content, dict) or content.get("case") != case_id):
            raise ValueError("an entry of another case")
        links.append(
            chain_rules.Link(
                sequence=int(item["sequence"]),
                content_sha256=str(item["content_sha256"]),
                previous_sha256=str(item["previous_sha256"]),
                entry_sha256=str(item["entry_sha256"]),
                fields=content,
            )
        )
    return links


def check_seals(seals: list, links: list[chain_rules.Link], case_id, keys, report) -> None:
    """Each seal: signed by a trusted key, about this case, and naming the link that is really there."""
    for number, seal in enumerate(seals, start=1):
        report.seals += 1
        try:
            statement = str(seal["statement"])
            said = json.loads(statement)
            signature = base64.b64decode(str(seal["signature"]), validate=True)
            sequence, head = int(said["sequence"]), str(said["head"])
            fingerprint = str(said["key"])
        except (KeyError, TypeError, ValueError, binascii.Error):
            report.seal_problems.append(_("Seal %(number)s cannot be read.") % {"number": number})
            continue
        trusted = keys.get(fingerprint)
        if said.get("case") != case_id:
            report.seal_problems.append(_("Seal %(number)s is about another case.") % {"number": number})
        elif not 1 <= sequence <= len(links) or links[sequence - 1].entry_sha256 != head:
            report.seal_problems.append(
                _("Seal %(number)s names entry %(sequence)s with a head the chain does not have.")
                % {"number": number, "sequence": sequence}
            )
        elif trusted is None:
            report.seal_problems.append(
                _("Seal %(number)s was signed by a key not trusted here (%(fingerprint)s…).")
                % {"number": number, "fingerprint": fingerprint[:16]}
            )
        elif not signing.signature_holds(trusted.key, signature, statement.encode()):
            report.seal_problems.append(
                _("Seal %(number)s's signature does not match its statement.") % {"number": number}
            )


def check_timestamp(archive, info, raw_manifest: bytes, roots: list, report) -> None:
    token = read_small(archive, info, timestamps.MAX_RESPONSE_BYTES, "timestamp token")
    if not roots:
        report.timestamp = "unchecked"
        report.timestamp_check = TokenCheck(False, "no timestamp authority certificate is configured to check it")
        return
    check = timestamps.token_check(token, raw_manifest, roots=roots)
    report.timestamp, report.timestamp_check = ("valid" if check.ok else "invalid"), check

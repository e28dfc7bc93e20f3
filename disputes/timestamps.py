"""Trusted timestamps (RFC 3161) from an outside authority, when one is configured.

Settle's own signature shows who made a case file or a seal; a timestamp
authority's token shows *when*, from a clock Settle does not control: the
authority signs the SHA-256 of what Settle sends it, with the time. Off
unless TIMESTAMP_AUTHORITY_URL is set; TIMESTAMP_AUTHORITY_CA names the
authority's root certificate(s), against which every token is checked,
both when it is received (a token Settle cannot verify is not kept) and
when a case file is verified later.

`rfc3161-client` builds the request, parses the answer and checks the
token's signature and certificate chain at the time the token names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from django.conf import settings
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

MAX_RESPONSE_BYTES = 64 * 1024


class TimestampError(Exception):
    """The authority could not be reached, refused, or answered with a token that does not hold."""


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    reason: str = ""
    stamped_at: dt.datetime | None = None
    authority: str = ""


def enabled() -> bool:
    return bool(settings.TIMESTAMP_AUTHORITY_URL)


def load_roots(path: str | Path | None = None) -> list[x509.Certificate]:
    """The trusted root certificates (PEM, one or more) of the timestamp authority."""
    path = path or settings.TIMESTAMP_AUTHORITY_CA
    if not path:
        return []
    try:
        return x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as error:
        raise TimestampError(f"The timestamp authority's certificate file {path} cannot be read: {error}") from None


def request_token(data: bytes) -> bytes:
    """Ask the authority to stamp `data` (its SHA-256 is sent); return the DER response after checking it."""
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).build()
    url = settings.TIMESTAMP_AUTHORITY_URL
    if not url.startswith(("https://", "http://")):
        raise TimestampError("TIMESTAMP_AUTHORITY_URL must be an http(s) address.")
    http = urllib.request.Request(  # noqa: S310 (the scheme is checked just above)
        url,
        data=request.as_bytes(),
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=settings.TIMESTAMP_AUTHORITY_TIMEOUT) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise TimestampError(f"The timestamp authority could not be reached: {error}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise TimestampError("The timestamp authority's answer is far larger than a timestamp.")
    check = token_check(body, data, roots=load_roots(), nonce=request.nonce)
    if not check.ok:
        raise TimestampError(f"The timestamp authority's token was not kept: {check.reason}")
    return body


def _leaf(response) -> x509.Certificate | None:
    infos = response.signed_data.signer_infos
    if len(infos) != 1:
        return None
    signer = next(iter(infos))
    for der in response.signed_data.certificates:
        certificate = x509.load_der_x509_certificate(der)
        if certificate.issuer == signer.issuer and certificate.serial_number == signer.serial_number:
            return certificate
    return None


def token_check(token: bytes, data: bytes, *, roots: list[x509.Certificate], nonce: int | None = None) -> TokenCheck:
    """Whether `token` is a valid RFC 3161 answer over `data`, by an authority chaining to `roots`. Never raises."""
    try:
        response = decode_timestamp_response(token)
    except (ValueError, TypeError) as error:
        return TokenCheck(False, f"it cannot be read as a (strict DER) RFC 3161 timestamp token: {error}")
    if PKIStatus(response.status) != PKIStatus.GRANTED:
        return TokenCheck(False, f"the authority refused ({' '.join(response.status_string) or response.status})")
    stamped_at = response.tst_info.gen_time
    leaf = _leaf(response)
    authority = leaf.subject.rfc4514_string() if leaf is not None else ""
    result = {"stamped_at": stamped_at, "authority": authority}
    if response.tst_info.message_imprint.message != hashlib.sha256(data).digest():
        return TokenCheck(False, "it stamps something else than this file", **result)
    if not roots:
        return TokenCheck(False, "no timestamp authority certificate is configured to check it against", **result)
    if leaf is not None and not (leaf.not_valid_before_utc <= stamped_at <= leaf.not_valid_after_utc):
        return TokenCheck(
            False,
            f"the authority's certificate was not valid at {stamped_at:%Y-%m-%d %H:%M} UTC "
            f"(valid {leaf.not_valid_before_utc:%Y-%m-%d} to {leaf.not_valid_after_utc:%Y-%m-%d})",
            **result,
        )
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify_message(response, data)
    except VerificationError as error:
        return TokenCheck(False, f"it does not verify against the trusted authority: {error}", **result)
    return TokenCheck(True, "", **result)

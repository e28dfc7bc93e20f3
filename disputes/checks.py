"""System checks for Settle's own settings (run by `manage.py check`)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register()
def signing_keys_outside_media(app_configs, **kwargs):
    keys = Path(settings.SIGNING_KEY_DIR).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    if keys == media or media in keys.parents:
        return [
            Error(
                f"SIGNING_KEY_DIR ({keys}) is inside MEDIA_ROOT ({media}).",
                hint="Keep the signing keys outside the folder that holds uploads.",
                id="settle.E001",
            )
        ]
    return []


@register()
def timestamp_authority_checkable(app_configs, **kwargs):
    if settings.TIMESTAMP_AUTHORITY_URL and not settings.TIMESTAMP_AUTHORITY_CA:
        return [
            Error(
                "TIMESTAMP_AUTHORITY_URL is set but TIMESTAMP_AUTHORITY_CA is not.",
                hint="Name the PEM file of the authority's root certificate: Settle keeps only tokens it can check.",
                id="settle.E002",
            )
        ]
    return []

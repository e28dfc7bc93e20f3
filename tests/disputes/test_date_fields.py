"""Every date a person types is checked against 1990-2100, so the edge of the calendar is a form error."""

import inspect

import pytest
from django import forms as django_forms
from django.urls import reverse

import accounts.forms
import disputes.forms
from disputes.forms.fields import BoundedDateField, BoundedDateTimeField
from disputes.models import TimelineEntry
from tests.factories import ClientFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def all_form_classes():
    for module in (disputes.forms, accounts.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_forms.BaseForm) and cls.__module__.startswith(("disputes.", "accounts.")):
                yield cls


def test_every_date_field_in_every_form_is_bounded():
    checked = 0
    for cls in all_form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, django_forms.DateTimeField):
                assert isinstance(field, BoundedDateTimeField), f"{cls.__name__}.{name}"
                checked += 1
            elif isinstance(field, django_forms.DateField):
                assert isinstance(field, BoundedDateField), f"{cls.__name__}.{name}"
                checked += 1
    # happened_at (twice), accepted_at, noticed_on, start and due dates, milestone due, paid_on,
    # captured_on, legal_action_date, settlement deadline.
    assert checked >= 12


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Pacific/Kiritimati", "America/Los_Angeles"])
def test_year_one_typed_east_or_west_of_utc_is_a_form_error(owner_client, owner, case, zone):
    owner.time_zone = zone
    owner.save()
    response = owner_client.post(
        reverse("disputes:entry_add", args=[case.pk]),
        {"kind": "note", "body": "Long ago", "happened_at": "0001-01-01T00:30"},
    )
    assert response.status_code == 200
    assert "Enter a date between 1990 and 2100." in response.content.decode()
    assert not TimelineEntry.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("route", "field", "data"),
    [
        ("disputes:project_create", "start_date", {"title": "x", "price": "1", "currency": "USD", "status": "active"}),
        ("disputes:agreement_create", "accepted_at", {"deliverables": "x", "price": "1", "currency": "USD"}),
        ("disputes:warning_sign_add", "noticed_on", {"kind": "never_satisfied"}),
    ],
)
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1989-12-31"])
def test_other_date_fields_refuse_the_edges_too(owner_client, owner, route, field, data, value):
    client = ClientFactory(owner=owner)
    project = ProjectFactory(client=client)
    args = {"disputes:project_create": [], "disputes:agreement_create": [project.pk]}.get(route, [client.pk])
    if route == "disputes:project_create":
        data = {**data, "client": client.pk, "prepayment_percent": 0}
    if route == "disputes:agreement_create":
        data = {**data, "revision_rounds": 1, "source": "email", "accepted_via": "email"}
        value = f"{value}T10:00"
    response = owner_client.post(reverse(route, args=args), {**data, field: value})
    assert response.status_code == 200
    assert "Enter a date between 1990 and 2100." in response.content.decode()

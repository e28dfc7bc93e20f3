import pytest
from django.core.management import call_command

from accounts.models import User
from disputes.models import Case, Client, Evidence, Project, Review, ScopeAgreement, TimelineEntry

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (User, Client, Project, ScopeAgreement, Case, TimelineEntry, Evidence)
    }


def test_demo_data_loads_once_and_twice_changes_nothing():
    call_command("seed_demo")
    first = counts()
    assert first["Case"] == 3 and first["Evidence"] == 1 and first["ScopeAgreement"] == 2
    assert Review.objects.filter(state="open").count() == 1  # the staff demo login has a queue
    assert User.objects.get(email="demo@settle.example").check_password("settle-demo-2026")
    call_command("seed_demo")
    assert counts() == first

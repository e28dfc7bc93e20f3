import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from disputes.models import Case, Client, Evidence, Project, Review, ScopeAgreement, TimelineEntry

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (User, Client, Project, ScopeAgreement, Case, TimelineEntry, Evidence)
    }


def test_the_demo_refuses_to_run_with_debug_off_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", allow_without_debug=True)
    assert User.objects.filter(email="staff@settle.example", is_staff=True).exists()


def test_demo_data_loads_once_and_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    assert first["Case"] == 3 and first["Evidence"] == 1 and first["ScopeAgreement"] == 2
    assert Review.objects.filter(state="open").count() == 1  # the staff demo login has a queue
    assert User.objects.get(email="demo@settle.example").check_password("settle-demo-2026")
    call_command("seed_demo")
    assert counts() == first

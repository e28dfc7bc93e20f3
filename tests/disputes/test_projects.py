import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from disputes.diff import agreement_changes
from disputes.models import ScopeAgreement
from disputes.services.clients import client_create, client_update, warning_sign_add
from disputes.services.common import NotYours
from disputes.services.projects import (
    agreement_create,
    milestone_add,
    milestone_mark_paid,
    project_create,
    project_update,
)
from tests.factories import ClientFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TERMS = {
    "deliverables": "Logo\nPalette",
    "volume": "3 concepts",
    "deadlines": "1 June",
    "price": Decimal("900.00"),
    "currency": "USD",
    "revision_rounds": 2,
    "cancellation_policy": "",
    "rescheduling_policy": "",
    "dispute_resolution": "",
    "source": "email",
    "accepted_at": None,
    "accepted_via": "",
    "change_note": "",
}


def test_client_create_validates(owner):
    with pytest.raises(ValidationError) as error:
        client_create(owner=owner, data={"name": "", "time_zone": "Mars/Olympus"})
    assert {"name", "time_zone"} <= set(error.value.message_dict)


def test_warning_sign_on_another_users_client_is_refused(owner, outsider):
    client = ClientFactory(owner=outsider)
    with pytest.raises(NotYours):
        warning_sign_add(client=client, owner=owner, kind="never_satisfied", noticed_on=timezone.localdate())


def test_project_price_is_decimal_and_due_date_after_start(owner):
    client = ClientFactory(owner=owner)
    base = {"title": "Site", "price": Decimal("10.10"), "currency": "EUR"}
    project = project_create(owner=owner, client=client, data=base)
    project.refresh_from_db()
    assert project.price == Decimal("10.10")
    with pytest.raises(ValidationError) as error:
        project_create(
            owner=owner,
            client=client,
            data={**base, "start_date": datetime.date(2026, 5, 2), "due_date": datetime.date(2026, 5, 1)},
        )
    assert "due_date" in error.value.message_dict
    with pytest.raises(ValidationError):
        project_create(owner=owner, client=client, data={**base, "currency": "euro"})
    with pytest.raises(ValidationError):
        project_create(owner=owner, client=client, data={**base, "prepayment_percent": 120})


def test_project_for_another_users_client_is_refused(owner, outsider):
    with pytest.raises(NotYours):
        project_create(owner=owner, client=ClientFactory(owner=outsider), data={"title": "x", "price": 1})


def test_milestones(owner):
    project = ProjectFactory(client__owner=owner)
    milestone = milestone_add(project=project, actor=owner, title="Half", amount=Decimal("500"))
    milestone_mark_paid(milestone=milestone, actor=owner, paid_on=datetime.date(2026, 1, 2))
    milestone.refresh_from_db()
    assert milestone.is_paid
    with pytest.raises(ValidationError):
        milestone_add(project=project, actor=owner, title="Bad", amount=Decimal("-1"))


def test_milestone_services_check_ownership_themselves(owner, outsider):
    project = ProjectFactory(client__owner=owner)
    milestone = milestone_add(project=project, actor=owner, title="Half", amount=Decimal("500"))
    with pytest.raises(NotYours):
        milestone_add(project=project, actor=outsider, title="Sneaky", amount=Decimal("1"))
    with pytest.raises(NotYours):
        milestone_mark_paid(milestone=milestone, actor=outsider, paid_on=datetime.date(2026, 1, 2))
    milestone.refresh_from_db()
    assert milestone.paid_on is None and project.milestones.count() == 1


@pytest.mark.parametrize("paid_on", [datetime.date(1, 1, 1), datetime.date(2999, 1, 1)])
def test_a_paid_date_outside_the_range_or_in_the_future_is_refused_by_the_service(owner, paid_on):
    milestone = milestone_add(project=ProjectFactory(client__owner=owner), actor=owner, title="x", amount=Decimal("1"))
    with pytest.raises(ValidationError):
        milestone_mark_paid(milestone=milestone, actor=owner, paid_on=paid_on)


def test_marking_paid_after_a_lost_race_reads_the_stored_row(owner):
    milestone = milestone_add(project=ProjectFactory(client__owner=owner), actor=owner, title="x", amount=Decimal("1"))
    stale = type(milestone).objects.get(pk=milestone.pk)
    milestone_mark_paid(milestone=milestone, actor=owner, paid_on=datetime.date(2026, 1, 2))
    # A stale copy (another tab) clears it: the stored value is what is compared and written.
    stale.paid_on = None
    cleared = milestone_mark_paid(milestone=stale, actor=owner, paid_on=None)
    assert cleared.paid_on is None and type(milestone).objects.get(pk=milestone.pk).paid_on is None


def test_project_update_checks_ownership_and_the_stored_row(owner, outsider):
    project = ProjectFactory(client__owner=owner, title="Before")
    with pytest.raises(NotYours):
        project_update(project=project, actor=outsider, data={"title": "Mine"})
    project.title = "After"  # a bound ModelForm has done this already
    project_update(project=project, actor=owner, data={"title": "After"})
    project.refresh_from_db()
    assert project.title == "After"


def test_a_projects_currency_is_fixed_once_it_has_a_plan_or_a_case(owner):
    project = ProjectFactory(client__owner=owner, currency="EUR")
    assert project_update(project=project, actor=owner, data={"currency": "USD"}).currency == "USD"
    milestone_add(project=project, actor=owner, title="Half", amount=Decimal("500"))
    with pytest.raises(ValidationError) as error:
        project_update(project=project, actor=owner, data={"currency": "GBP"})
    assert "cannot change" in error.value.message_dict["currency"][0]
    project.refresh_from_db()
    assert project.currency == "USD"


@pytest.mark.parametrize("code", ["ABC", "euro", "DEM"])
def test_currencies_are_checked_against_iso_4217(owner, code):
    with pytest.raises(ValidationError) as error:
        project_create(
            owner=owner, client=ClientFactory(owner=owner), data={"title": "x", "price": 1, "currency": code}
        )
    assert "currency" in error.value.message_dict


def test_client_update_checks_ownership_and_the_stored_row(owner, outsider):
    client = ClientFactory(owner=owner, name="Ada")
    with pytest.raises(NotYours):
        client_update(client=client, actor=outsider, data={"name": "Eve"})
    client.name = "Ada L."
    client_update(client=client, actor=owner, data={"name": "Ada L."})
    client.refresh_from_db()
    assert client.name == "Ada L."


def test_each_change_is_a_new_version_and_old_versions_stay(owner):
    project = ProjectFactory(client__owner=owner)
    v1 = agreement_create(project=project, author=owner, data=TERMS)
    v2 = agreement_create(
        project=project, author=owner, data={**TERMS, "deliverables": "Logo\nPalette\nGuide", "price": Decimal("1000")}
    )
    assert (v1.version, v2.version) == (1, 2)
    v1.refresh_from_db()
    assert v1.deliverables == "Logo\nPalette" and v1.price == Decimal("900.00")
    changes = {change.name: change for change in agreement_changes(v1, v2)}
    assert set(changes) == {"deliverables", "price"}
    assert ("+", "Guide") in changes["deliverables"].lines
    assert (changes["price"].old, changes["price"].new) == ("900.00 USD", "1,000.00 USD")


def test_versions_are_numbered_per_project(owner):
    a, b = ProjectFactory(client__owner=owner), ProjectFactory(client__owner=owner)
    agreement_create(project=a, author=owner, data=TERMS)
    assert agreement_create(project=b, author=owner, data=TERMS).version == 1


def test_agreement_on_another_users_project_is_refused(owner, outsider):
    with pytest.raises(NotYours):
        agreement_create(project=ProjectFactory(client__owner=outsider), author=owner, data=TERMS)
    assert not ScopeAgreement.objects.exists()


def test_version_uniqueness_is_a_database_constraint(owner):
    from django.db import IntegrityError, transaction

    project = ProjectFactory(client__owner=owner)
    agreement_create(project=project, author=owner, data=TERMS)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopeAgreement.objects.create(project=project, version=1, created_by=owner, deliverables="x", price=1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_new_versions_on_postgres_get_consecutive_numbers():
    import threading

    from django.db import connection

    from tests.factories import UserFactory
    from tests.services import require_postgres

    require_postgres()
    owner = UserFactory()
    project = ProjectFactory(client__owner=owner)
    barrier = threading.Barrier(6)
    errors = []

    def save_version(i):
        try:
            barrier.wait()
            agreement_create(project=project, author=owner, data={**TERMS, "deliverables": f"Version from thread {i}"})
        except Exception as error:  # a clash would surface here as an IntegrityError
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save_version, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(ScopeAgreement.objects.filter(project=project).values_list("version", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from disputes.diff import agreement_changes
from disputes.models import ScopeAgreement
from disputes.services.clients import client_create, warning_sign_add
from disputes.services.common import NotYours
from disputes.services.projects import agreement_create, milestone_add, milestone_mark_paid, project_create
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
    milestone = milestone_add(project=project, title="Half", amount=Decimal("500"))
    milestone_mark_paid(milestone=milestone, paid_on=datetime.date(2026, 1, 2))
    milestone.refresh_from_db()
    assert milestone.is_paid
    with pytest.raises(ValidationError):
        milestone_add(project=project, title="Bad", amount=Decimal("-1"))


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
    assert (changes["price"].old, changes["price"].new) == ("900.00", "1000.00")


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

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from disputes.models import Case, Client, Evidence, Milestone, Project, ScopeAgreement, TimelineEntry, WarningSign

PASSWORD = "a-Long-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    time_zone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    company = "Example Ltd"
    email = factory.Sequence(lambda n: f"client{n}@example.org")


class WarningSignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarningSign

    client = factory.SubFactory(ClientFactory)
    kind = WarningSign.Kind.REFUSED_PREPAYMENT
    noticed_on = factory.LazyFunction(lambda: timezone.localdate())


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    owner = factory.SelfAttribute("client.owner")
    title = factory.Sequence(lambda n: f"Project {n}")
    price = Decimal("1000.00")
    currency = "USD"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = "Milestone"
    amount = Decimal("500.00")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScopeAgreement

    project = factory.SubFactory(ProjectFactory)
    created_by = factory.SelfAttribute("project.owner")
    version = factory.Sequence(lambda n: n + 1)
    deliverables = "A logo"
    price = Decimal("1000.00")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    project = factory.SubFactory(ProjectFactory)
    owner = factory.SelfAttribute("project.owner")
    client = factory.SelfAttribute("project.client")
    title = factory.Sequence(lambda n: f"Case {n}")
    kind = Case.Kind.BILLING
    amount_in_dispute = Decimal("250.00")
    opened_at = factory.LazyFunction(timezone.now)
    stage_changed_at = factory.LazyFunction(timezone.now)


class EntryFactory(factory.django.DjangoModelFactory):
    """Entries go through the timeline's one door, so they are chained like real ones."""

    class Meta:
        model = TimelineEntry

    case = factory.SubFactory(CaseFactory)
    author = factory.SelfAttribute("case.owner")
    kind = TimelineEntry.Kind.MESSAGE_IN
    channel = "email"
    body = "Where is my logo?"
    happened_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from disputes.services.timeline import entry_append

        return entry_append(**kwargs)


__all__ = [
    "PASSWORD",
    "AgreementFactory",
    "CaseFactory",
    "ClientFactory",
    "EntryFactory",
    "Evidence",
    "MilestoneFactory",
    "ProjectFactory",
    "UserFactory",
    "WarningSignFactory",
]

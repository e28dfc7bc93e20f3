"""A project put on "work stopped until paid": shown on the project and its cases, and recorded on
the timeline of each open case when it stops and when it resumes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disputes.models import TimelineEntry
from disputes.services.cases import case_move
from disputes.services.common import NotYours
from disputes.services.projects import project_work_resume, project_work_stop
from tests.factories import CaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def project(owner):
    return ProjectFactory(client__owner=owner, title="Bakery website")


def test_stopping_records_on_each_open_case_and_resuming_says_how_long(project, owner):
    first, second = CaseFactory(project=project), CaseFactory(project=project)
    closed = CaseFactory(project=project)
    case_move(case=closed, actor=owner, move="resolve", reason="Paid", outcome="paid_in_full")
    before = TimelineEntry.objects.filter(case=closed).count()
    stopped = project_work_stop(project=project, actor=owner, reason="  Invoice 2   unpaid ", now=T0)
    assert stopped.work_stopped_at == T0 and stopped.work_stopped_reason == "Invoice 2 unpaid"
    for case in (first, second):
        entry = case.entries.get(kind="work_stopped")
        assert entry.body == "Work on “Bakery website” stopped until paid. Invoice 2 unpaid"
        assert entry.happened_at == T0 and entry.author == owner
    assert TimelineEntry.objects.filter(case=closed).count() == before  # a closed case's record is left alone
    resumed = project_work_resume(project=project, actor=owner, now=T0 + dt.timedelta(days=3, hours=2))
    assert resumed.work_stopped_at is None and resumed.work_stopped_reason == ""
    assert first.entries.get(kind="work_resumed").body == "Work on “Bakery website” resumed, 3 days after it stopped."


def test_twice_or_resuming_what_is_not_stopped_is_refused_and_changes_nothing(project, owner):
    case = CaseFactory(project=project)
    with pytest.raises(ValidationError, match="not stopped"):
        project_work_resume(project=project, actor=owner)
    project_work_stop(project=project, actor=owner, now=T0)
    with pytest.raises(ValidationError, match="already stopped"):
        project_work_stop(project=project, actor=owner, reason="again")
    assert case.entries.filter(kind="work_stopped").count() == 1
    project_work_resume(project=project, actor=owner, now=T0 + dt.timedelta(hours=1))
    assert case.entries.get(kind="work_resumed").body.endswith("resumed, the same day.")
    with pytest.raises(ValidationError, match="300"):
        project_work_stop(project=project, actor=owner, reason="x" * 301)
    project.refresh_from_db()
    assert project.work_stopped_at is None and case.entries.filter(kind="work_stopped").count() == 1


def test_someone_else_cannot_stop_the_work(project, outsider, client):
    with pytest.raises(NotYours):
        project_work_stop(project=project, actor=outsider)
    client.force_login(outsider)
    assert client.post(reverse("disputes:project_work_stop", args=[project.pk])).status_code == 404
    project.refresh_from_db()
    assert project.work_stopped_at is None


def test_the_project_and_its_case_show_the_stop(owner_client, project):
    case = CaseFactory(project=project)
    url = reverse("disputes:project_work_stop", args=[project.pk])
    response = owner_client.post(url, {"reason": "Invoice 2 unpaid"}, follow=True)
    html = response.content.decode()
    assert "Work stopped until paid. Recorded on the timeline of 1 open case." in html
    assert 'data-testid="work-stopped"' in html and "Invoice 2 unpaid" in html
    page = owner_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="work-stopped"' in page and "<strong>Work stopped until paid</strong>" in page
    again = owner_client.post(url, {"reason": "again"}, follow=True).content.decode()
    assert "already stopped until paid" in again
    owner_client.post(url, {"resume": "1"})
    assert 'data-testid="work-stopped"' not in owner_client.get(case.get_absolute_url()).content.decode()

"""The Jinja2 partials (templates/jinja2/) write what the Django templates wrote: markup as markup,
people's text escaped, times in the viewer's zone, money as formatting.format_money writes it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from disputes.formatting import format_money
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


def test_the_timeline_is_markup_and_the_text_in_it_is_escaped(owner_client, case):
    entry_add(case=case, author=case.owner, kind="note", body="<b>bold</b> & <script>x()</script>", happened_at=WHEN)
    html = owner_client.get(case.get_absolute_url()).content.decode()
    assert '<ul class="timeline">' in html and "&lt;ul" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>x()" not in html


def test_the_case_list_rows_escape_titles_and_link_each_case(owner_client, owner):
    case = CaseFactory(project__client__owner=owner, title="<img src=x onerror=alert(1)>", amount_in_dispute=1400)
    html = owner_client.get(reverse("disputes:case_list")).content.decode()
    assert f'href="{case.get_absolute_url()}">&lt;img src=x onerror=alert(1)&gt;</a>' in html
    assert format_money(Decimal(1400), case.currency) in html
    assert 'class="badge stage-badge stage-direct_talk"' in html


def test_times_in_a_partial_are_in_the_viewers_zone(owner_client, owner, case):
    owner.time_zone = "Europe/Berlin"
    owner.save()
    entry_add(case=case, author=owner, kind="note", body="Called", happened_at=WHEN)
    html = owner_client.get(case.get_absolute_url()).content.decode()
    assert "4 May 2026, 12:00 CEST" in html  # 10:00 UTC in Berlin's summer time


# 05:30 UTC on 1 November 2026 is 01:30 in New York, a wall time that comes twice (Django writes no zone).
@pytest.mark.parametrize(
    "value",
    ["2026-05-04T10:00:00+00:00", "2026-12-31T23:59:59+00:00", "2026-11-01T05:30:00+00:00", None, "date", "text"],
)
@pytest.mark.parametrize(
    "form",
    ["D j M Y, H:i T", "j M Y, H:i:s T", "d.m.y G:i", "j M Y", r"\d\a\y j, N", "DATE_FORMAT", "SHORT_DATETIME_FORMAT"],
)
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_date_filter_is_djangos(value, form, language):
    others = {"date": dt.date(2026, 3, 1), "text": "soon", None: None}
    value = others[value] if value in others else dt.datetime.fromisoformat(value)

    def outcome(engine, source):
        try:
            return engines[engine].from_string(source).render({"v": value, "f": form})
        except TypeError as error:  # a date given a time format: refused, by both alike
            return type(error)

    with timezone.override("America/New_York"), translation.override(language):
        assert outcome("jinja2", "{{ v|date(f) }}") == outcome("django", "{{ v|date:f }}")


def test_a_date_with_a_time_format_is_refused_as_django_refuses_it():
    with pytest.raises(TypeError):
        engines["jinja2"].from_string('{{ v|date("H:i") }}').render({"v": dt.date(2026, 3, 1)})


def test_money_is_formatted_for_the_active_language():
    with translation.override("de"):
        assert format_money(Decimal("1400.5"), "EUR") == "1.400,50 EUR"
    assert format_money(Decimal("1400.5"), "EUR") == "1,400.50 EUR"
    assert format_money(Decimal("120000"), "JPY") == "120,000 JPY"


def test_a_chain_of_corrections_shows_under_its_original(owner_client, case):
    from disputes.services.timeline import entry_correct

    original = entry_add(case=case, author=case.owner, kind="note", body="Paid 100", happened_at=WHEN)
    first = entry_correct(original=original, author=case.owner, body="Paid 150")
    second = entry_correct(original=first, author=case.owner, body="Paid 160")
    html = owner_client.get(case.get_absolute_url()).content.decode()
    assert html.index("Paid 100") < html.index("Paid 150") < html.index("Paid 160")
    assert f'id="entry-{first.pk}"' in html and f'id="entry-{second.pk}"' in html
    assert html.count("Corrected below") == 1 and html.count("correct again") == 1


def test_the_label_filter_gives_what_get_display_gives():
    from config.jinja2 import label
    from disputes.models import Case, TimelineEntry

    for value, _ in Case.Stage.choices:
        case = Case(stage=value)
        assert label(case, "stage") == case.get_stage_display()
    for value, _ in TimelineEntry._meta.get_field("kind").flatchoices:
        entry = TimelineEntry(kind=value)
        assert label(entry, "kind") == entry.get_kind_display()
    assert (
        label(Case(stage="no_such_rung"), "stage") == "no_such_rung" == Case(stage="no_such_rung").get_stage_display()
    )


@pytest.mark.parametrize("viewer", ["owner", "staff"])
def test_every_kind_of_entry_renders_for_owner_and_staff(client, owner, staff, viewer):
    """Each branch of the entry partial, written by the services that make such entries."""
    from disputes.models import TimelineEntry
    from disputes.services.timeline import entry_append

    case = CaseFactory(project__client__owner=owner, stage="platform_support")
    made = {}
    for kind in TimelineEntry.Kind.values:
        if kind in ("stage_change", "no_answer_needed", "delivery_failed"):
            continue
        made[kind] = entry_append(case=case, author=owner, kind=kind, body=f"Body of {kind}", happened_at=WHEN)
    entry_append(case=case, author=owner, kind="no_answer_needed", body="Only thanks", about=made["message_in"])
    entry_append(case=case, author=owner, kind="delivery_failed", body="550 no such user", about=made["message_out"])
    if viewer == "owner":
        client.force_login(owner)
        url = case.get_absolute_url()
    else:
        client.force_login(staff)
        url = reverse("disputes:staff_case", args=[case.pk])
    html = client.get(url).content.decode()
    for kind, label in TimelineEntry.Kind.choices:
        if kind != "stage_change":
            assert f"<strong>{label}</strong>" in html, kind
    assert 'data-testid="delivery-failed"' in html and f'href="?at={made["message_out"].pk}' in html
    assert "Automatic reply: it does not start the answer clock" in html and "needs no answer" in html
    assert "Settle staff</span>" in html and "Mediator</span>" in html and "Record sealed</span>" in html


@pytest.mark.parametrize("pk", [0, 7, 987654321, 987654321987, 123456789012345])
def test_row_links_are_what_reverse_gives(pk):
    from django.urls import set_script_prefix

    from disputes.links import link

    assert link("disputes:case_detail", pk) == reverse("disputes:case_detail", args=[pk])
    assert link("disputes:client_detail", pk) == reverse("disputes:client_detail", args=[pk])
    # Two numbers: each in its own place, whichever is larger.
    assert link("disputes:evidence_download", pk, 3) == reverse("disputes:evidence_download", args=[pk, 3])
    assert link("disputes:evidence_download", 3, pk) == reverse("disputes:evidence_download", args=[3, pk])
    set_script_prefix("/settle/")
    try:  # behind a proxy at a sub-path: the prefix is part of every URL
        assert link("disputes:case_detail", pk) == f"/settle/cases/{pk}/"
        assert link("disputes:evidence_download", pk, 3) == reverse("disputes:evidence_download", args=[pk, 3])
        assert link("disputes:case_list") == reverse("disputes:case_list") == "/settle/cases/"
    finally:
        set_script_prefix("/")
    assert link("disputes:dashboard") == reverse("disputes:dashboard")
    assert link("disputes:case_list") == "/cases/"  # the prefix's URL is not kept for the next request


def test_row_links_refuse_what_reverse_refuses():
    from django.urls import NoReverseMatch

    from disputes.links import link

    for args in ([-1], [1.5], [True], [1, 2, 3]):
        with pytest.raises(NoReverseMatch):
            link("disputes:case_detail", *args)
    with pytest.raises(NoReverseMatch):
        link("disputes:no_such_page", 1)
    # Anything but whole numbers goes to reverse() and comes out the same.
    assert link("disputes:case_detail", "12") == reverse("disputes:case_detail", args=["12"])
    assert link("disputes:case_move", 4, "remind") == reverse("disputes:case_move", args=[4, "remind"])


def test_the_link_tag_writes_what_the_url_tag_writes():
    from django.template import Context, Template

    html = Template(
        "{% load settle %}{% link 'disputes:case_detail' 5 %}|{% link 'disputes:case_move' 5 'escalate' %}"
        "|{% link 'disputes:case_list' as back %}[{{ back }}]"
    ).render(Context())
    expected = Template(
        "{% url 'disputes:case_detail' 5 %}|{% url 'disputes:case_move' 5 'escalate' %}"
        "|{% url 'disputes:case_list' as back %}[{{ back }}]"
    ).render(Context())
    assert html == expected == "/cases/5/|/cases/5/move/escalate/|[/cases/]"


def test_a_pending_settlements_forms_on_the_timeline_carry_the_csrf_field(owner):
    """The entry partial is a macro imported with the page's context: its forms keep the CSRF field."""
    from django.test import Client

    from disputes.services.mediation import mediator_accept, mediator_invite, settlement_propose

    case = CaseFactory(project__client__owner=owner, stage="mediation")
    mediator = UserFactory()
    mediator_accept(token=mediator_invite(case=case, owner=owner, email=mediator.email)[1], user=mediator)
    due = timezone.localdate() + dt.timedelta(days=5)
    settlement_propose(case=case, mediator=mediator, amount=Decimal(90), terms="Pay 90.", deadline=due)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    html = browser.get(case.get_absolute_url()).content.decode()
    forms = re.findall(r'<form method="post" action="[^"]*/(?:accept|reject)/?">(.*?)</form>', html)
    assert len(forms) == 2 and all('name="csrfmiddlewaretoken" value="' in form for form in forms)


def test_the_asset_tag_writes_what_static_writes_and_follows_the_setting(settings):
    def both():
        source = "{% load static settle %}{% static 'css/settle.css' %}|{% asset 'css/settle.css' %}"
        django_side = engines["django"].from_string(source).render({})
        jinja_side = engines["jinja2"].from_string("{{ static('css/settle.css') }}").render({})
        return django_side, jinja_side

    written, jinja_side = both()
    ours, theirs = written.split("|")
    assert ours == theirs == jinja_side and ours.endswith("settle.css")
    settings.STATIC_URL = "/elsewhere/"
    written, jinja_side = both()
    assert written.split("|")[0] == written.split("|")[1] == jinja_side
    assert jinja_side.startswith("/elsewhere/")


def test_selected_option_marks_one_choice_and_escapes_the_value():
    env = engines["jinja2"].env
    template = env.from_string(
        '{% set options %}<option value="">None</option><option value="a">A</option>'
        "<option value=\"{{ 'a&b' }}\">A and B</option>{% endset %}{{ options|selected_option(value) }}"
    )
    assert template.render(value="a").count(" selected") == 1
    assert '<option value="a" selected>' in template.render(value="a")
    assert '<option value="a&amp;b" selected>' in template.render(value="a&b")  # as the options escape it
    assert " selected" not in template.render(value="") and " selected" not in template.render(value="zzz")
    assert "<script>" not in template.render(value='"><script>')


def test_a_translated_message_is_markup_and_only_its_values_are_escaped():
    template = engines["jinja2"].from_string(
        """{{ _('Work on <a href="%(url)s#work-stop">%(title)s</a>')|format(url=url, title=title) }}"""
    )
    html = template.render({"url": "/projects/1/", "title": "<script>x()</script> & co"})
    assert html == 'Work on <a href="/projects/1/#work-stop">&lt;script&gt;x()&lt;/script&gt; &amp; co</a>'


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [("en", 1, "1 case"), ("en", 3, "3 cases"), ("de", 1, "1 Fall"), ("de", 3, "3 Fälle")],
)
def test_counted_phrases_follow_the_languages_plural_rules(language, count, expected):
    template = engines["jinja2"].from_string('{{ plural("cases", count) }}')
    with translation.override(language):
        assert template.render({"count": count}) == expected


def test_a_capped_count_reads_as_capped():
    from disputes.views.common import COUNT_CAP, CappedCount

    template = engines["jinja2"].from_string('{{ plural("cases", count) }}')
    assert template.render({"count": CappedCount(COUNT_CAP + 1)}) == f"{COUNT_CAP:,}+ cases"

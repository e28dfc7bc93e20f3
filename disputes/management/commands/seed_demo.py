"""Load demo data to look at. Running it again changes nothing."""

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from disputes.models import Channel, Client, Project, ScopeAgreement, TimelineEntry, WarningSign
from disputes.rules import ladder
from disputes.services import cases, clients, deadlines, projects, timeline
from disputes.services.evidence import EvidenceDetails, evidence_add

DEMO_EMAIL = "demo@settle.example"
DEMO_PASSWORD = "settle-demo-2026"
STAFF_EMAIL = "staff@settle.example"


def _screenshot_png(lines: list[str]) -> SimpleUploadedFile:
    image = Image.new("RGB", (720, 420), "#f4f6f8")
    draw = ImageDraw.Draw(image)
    y = 24
    for i, line in enumerate(lines):
        box_color = "#dbe9f4" if i % 2 else "#ffffff"
        draw.rounded_rectangle((24, y, 696, y + 70), radius=12, fill=box_color, outline="#c8d0d8")
        draw.text((40, y + 26), line, fill="#1f2933")
        y += 90
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("chat-screenshot.png", buffer.getvalue(), content_type="image/png")


class Command(BaseCommand):
    help = "Create a demo freelancer (and a staff user) with clients, projects and cases. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load the demo even with DEBUG off. Its logins and password are public: never on a real site.",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "The demo data creates a staff account whose password is in the README, so it refuses to run "
                "with DEBUG off. For a throw-away site, pass --allow-without-debug."
            )
        created = self._users()
        demo = User.objects.get(email=DEMO_EMAIL)
        if Client.objects.for_owner(demo).exists():
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            with transaction.atomic():
                self._data(demo)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if created:
            self.stdout.write(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")

    def _users(self) -> bool:
        created = False
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            User.objects.create_user(
                email=DEMO_EMAIL,
                password=DEMO_PASSWORD,
                name="Dana Demo",
                business_name="Dana Designs",
                time_zone="Europe/Berlin",
            )
            created = True
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            User.objects.create_user(email=STAFF_EMAIL, password=DEMO_PASSWORD, name="Sam Staff", is_staff=True)
            created = True
        return created

    def _data(self, demo: User) -> None:
        acme, nova = self._clients(demo)
        logo, app = self._projects(demo, acme, nova)
        self._cases(demo, logo, app)

    def _clients(self, demo: User) -> tuple[Client, Client]:
        today = timezone.localdate()
        acme = clients.client_create(
            owner=demo,
            data={
                "name": "Alex Morgan",
                "company": "Acme Bakery",
                "email": "alex@acme-bakery.example",
                "phone": "+1 555 0100",
                "preferred_channel": Channel.EMAIL,
                "platform": Client.Platform.UPWORK,
                "time_zone": "America/New_York",
                "notes": "Found through an Upwork job post for a new brand identity.",
            },
        )
        clients.warning_sign_add(
            client=acme,
            owner=demo,
            kind=WarningSign.Kind.REFUSED_PREPAYMENT,
            noticed_on=today - datetime.timedelta(days=40),
            note="Wanted all payment after delivery.",
        )
        clients.warning_sign_add(
            client=acme,
            owner=demo,
            kind=WarningSign.Kind.OFF_PLATFORM,
            noticed_on=today - datetime.timedelta(days=12),
            note="Suggested paying the rest by bank transfer outside Upwork.",
        )
        nova = clients.client_create(
            owner=demo,
            data={
                "name": "Priya Nair",
                "company": "Nova Apps",
                "email": "priya@nova.example",
                "preferred_channel": Channel.VIDEO,
                "platform": Client.Platform.DIRECT,
                "time_zone": "Asia/Kolkata",
            },
        )
        return acme, nova

    def _projects(self, demo: User, acme: Client, nova: Client) -> tuple[Project, Project]:
        today = timezone.localdate()
        now = timezone.now()
        logo = projects.project_create(
            owner=demo,
            client=acme,
            data={
                "title": "Brand identity and logo",
                "description": "Logo, colour palette and a one-page brand guide.",
                "start_date": today - datetime.timedelta(days=45),
                "due_date": today - datetime.timedelta(days=10),
                "price": Decimal("2400.00"),
                "currency": "USD",
                "prepayment_percent": 50,
                "status": Project.Status.DELIVERED,
            },
        )
        projects.milestone_add(
            project=logo,
            actor=demo,
            title="Prepayment (50%)",
            amount=Decimal("1200.00"),
            due_date=today - datetime.timedelta(days=45),
        )
        first = logo.milestones.get()
        projects.milestone_mark_paid(milestone=first, actor=demo, paid_on=today - datetime.timedelta(days=44))
        projects.milestone_add(
            project=logo,
            actor=demo,
            title="Final payment on delivery",
            amount=Decimal("1200.00"),
            due_date=today - datetime.timedelta(days=9),
        )
        terms = {
            "deliverables": "Logo in three variants\nColour palette\nOne-page brand guide (PDF)",
            "volume": "Three initial concepts, one chosen for refinement.",
            "deadlines": "Concepts within 10 days of the start; final files 35 days after the start.",
            "price": Decimal("2400.00"),
            "currency": "USD",
            "revision_rounds": 2,
            "cancellation_policy": "The prepayment is not refunded once concepts are delivered.",
            "rescheduling_policy": "Dates move by the days the client takes to give feedback.",
            "dispute_resolution": "Talk first; then Upwork's dispute process.",
            "source": ScopeAgreement.Source.PLATFORM_CONTRACT,
            "accepted_at": now - datetime.timedelta(days=46),
            "accepted_via": Channel.PLATFORM,
            "change_note": "",
        }
        projects.agreement_create(project=logo, author=demo, data=terms)
        projects.agreement_create(
            project=logo,
            author=demo,
            data={
                **terms,
                "deliverables": terms["deliverables"] + "\nSocial media kit (5 templates)",
                "price": Decimal("2700.00"),
                "revision_rounds": 3,
                "accepted_at": now - datetime.timedelta(days=30),
                "accepted_via": Channel.EMAIL,
                "change_note": "Client asked for a social media kit; one more revision round.",
            },
        )

        app = projects.project_create(
            owner=demo,
            client=nova,
            data={
                "title": "Onboarding screens redesign",
                "start_date": today - datetime.timedelta(days=20),
                "due_date": today + datetime.timedelta(days=10),
                "price": Decimal("1800.00"),
                "currency": "EUR",
                "prepayment_percent": 30,
                "status": Project.Status.ACTIVE,
            },
        )
        return logo, app

    def _cases(self, demo: User, logo: Project, app: Project) -> None:
        today = timezone.localdate()
        now = timezone.now()
        unpaid = cases.case_open(
            owner=demo,
            project=logo,
            data={
                "title": "Final payment for the brand identity not made",
                "kind": "billing",
                "amount_in_dispute": Decimal("1500.00"),
                "client_complaint": "Says the logo 'does not feel premium enough' and will pay once it does.",
                "client_wants": "A fourth round of revisions before paying.",
                "offered_solutions": "One extra round at half my hourly rate, or payment now with a small discount.",
            },
        )
        # (kind, channel, hours ago, text): the client writes, the freelancer answers two hours later.
        messages = [
            (TimelineEntry.Kind.MESSAGE_IN, Channel.PLATFORM, 195, "I'm not paying the rest until it looks premium."),
            (TimelineEntry.Kind.MESSAGE_OUT, Channel.PLATFORM, 193, "Thank you for telling me. Which parts feel off?"),
            (
                TimelineEntry.Kind.CALL,
                Channel.VIDEO,
                147,
                "30-minute call. Client wants darker gold; agreed to send one variant.",
            ),
            (
                TimelineEntry.Kind.MESSAGE_OUT,
                Channel.EMAIL,
                99,
                "Here is the darker variant. The final payment was due on delivery.",
            ),
            (
                TimelineEntry.Kind.MESSAGE_IN,
                Channel.EMAIL,
                27,
                "Still not right. Let's settle outside Upwork and I'll pay half.",
            ),
        ]
        for kind, channel, hours_ago, body in messages:
            timeline.entry_add(
                case=unpaid,
                author=demo,
                kind=kind,
                channel=channel,
                body=body,
                happened_at=now - datetime.timedelta(hours=hours_ago),
            )
        evidence_add(
            case=unpaid,
            author=demo,
            uploads=[
                _screenshot_png(
                    ["Client: I'm not paying the rest until it looks premium.", "Me: Which parts feel off?"]
                )
            ],
            details=EvidenceDetails(
                kind="screenshot", caption="Upwork chat, refusing the final payment", captured_on=today
            ),
        )
        cases.case_move(
            case=unpaid, actor=demo, move=ladder.ESCALATE, reason="Two reminders of the due date went unanswered."
        )

        abuse = cases.case_open(
            owner=demo,
            project=app,
            data={
                "title": "Insults after the first delivery",
                "kind": "conduct",
                "amount_in_dispute": Decimal("540.00"),
                "client_complaint": "Calls the work amateurish in abusive terms and threatens bad reviews.",
                "client_wants": "All source files now, payment 'later'.",
            },
        )
        cases.case_move(
            case=abuse,
            actor=demo,
            move=ladder.FAST_TRACK,
            ground=ladder.GROUND_CONDUCT,
            reason="Abusive messages and threats: straight to the platform's support.",
        )
        ticket = deadlines.ticket_add(
            case=abuse, actor=demo, body="Upwork support", reference="CS-20418",
            url="https://support.upwork.com/",
        )  # fmt: skip
        deadlines.deadline_add(
            case=abuse, actor=demo, ticket=ticket, owed_by="me",
            title="Send the abusive messages and the contract to Upwork support",
            due_at=now + datetime.timedelta(hours=40),
        )  # fmt: skip
        deadlines.deadline_add(
            case=abuse, actor=demo, ticket=ticket, owed_by="body", title="Upwork's decision on the report",
            due_at=now + datetime.timedelta(days=9),
        )  # fmt: skip
        cases.case_open(
            owner=demo,
            project=app,
            data={
                "title": "Feedback on the onboarding flow",
                "kind": "quality",
                "amount_in_dispute": Decimal("540.00"),
                "client_complaint": "The screens do not match the brand colours.",
                "client_wants": "Colours fixed before the second milestone is paid.",
            },
        )

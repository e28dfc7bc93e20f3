"""Settle's busiest pages against a bare Django page, measured in the same sitting.

Builds one freelancer with CASES cases (spread over CLIENTS clients), 25
timeline entries of realistic length on a share of them, one case with 25
entries and 10 evidence files, and one with 2,500 entries; a fifth of the cases are
resolved and one open case in ten waits for an answer (the clock counts, the deadline board
and the reports have rows to read). Then serves Settle
and a bare page (bench/bare.py: signed in, 25 rows from one keyset query, the
least a Django page here can cost) with gunicorn, 2 sync workers each, and
measures every page back to back: p50 and p95 of sequential requests (in
interleaved rounds, so a noisy machine's drift hits all pages alike),
requests per second with 4 concurrent clients (`wrk` when installed), and
SQL queries per request. Ratios to the bare page are what to compare across
machines and runs; absolute times move.

    .venv/bin/python bench/pages_bench.py --cases 20000                 # SQLite, a throw-away file
    scripts/with-services.sh .venv/bin/python bench/pages_bench.py      # PostgreSQL, a throw-away server

Options: --cases 20000 --clients 200 --share 0.1 --n 200 --duration 10
"""

import argparse
import datetime as dt
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ["LOG_LEVEL"] = "WARNING"
if "DATABASE_URL" not in os.environ:
    os.environ["SETTLE_VAR_DIR"] = tempfile.mkdtemp(prefix="settle-pages-bench-")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client as TestClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from disputes.models import Case, Client, Project, TimelineEntry  # noqa: E402
from disputes.services.evidence import EvidenceDetails, evidence_add  # noqa: E402

BATCH = 5_000
PROSE = (
    "the client asked again about the invoice and the revised logo files we agreed on last week "
    "payment was promised for friday but nothing arrived and the milestone is now overdue"
)
WORDS = re.findall(r"\w+", PROSE)


def text(i: int, words: int) -> str:
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(words)).capitalize() + "."


def build(cases: int, clients: int, share: float, now: dt.datetime) -> dict:
    user = User.objects.create(email="bench@example.com", name="Bench Freelancer", time_zone="Europe/Berlin",
                               password=make_password("bench-password-0123"))  # fmt: skip
    people = Client.objects.bulk_create(
        Client(owner=user, name=f"Client {i:04d}", company=f"Company {i}", email=f"client{i}@example.com")
        for i in range(clients)
    )
    projects = Project.objects.bulk_create(
        Project(owner=user, client=c, title=f"Project for {c.name}", price=1000) for c in people
    )
    stages = [choice for choice, _ in Case.Stage.choices]
    kinds = [choice for choice, _ in Case.Kind.choices]
    outcomes = [choice for choice, _ in Case.Outcome.choices]
    made = 0
    while made < cases:
        batch = []
        for i in range(made, min(cases, made + BATCH)):
            project = projects[i % len(projects)]
            opened = now - dt.timedelta(minutes=i)
            closed = i % 5 == 0  # a fifth are resolved, three days after they opened
            batch.append(
                Case(
                    owner=user,
                    project=project,
                    client_id=project.client_id,
                    title=f"Case {i}: {text(i, 6)}"[:200],
                    kind=kinds[i % len(kinds)],
                    stage=stages[i % len(stages)],
                    status="resolved" if closed else "open",
                    amount_in_dispute=100 + i % 900,
                    currency="EUR" if i % 3 else "USD",
                    outcome=outcomes[i % len(outcomes)] if closed else "",
                    amount_recovered=(100 + i % 900) // 2 if closed else None,
                    closed_at=opened + dt.timedelta(days=3) if closed else None,
                    # One open case in ten waits for our answer: the clock counts and the deadline board.
                    response_due_at=opened + dt.timedelta(hours=24) if i % 10 == 1 else None,
                    opened_at=opened,
                    stage_changed_at=opened,
                    client_complaint=text(i, 30),
                )
            )
        Case.objects.bulk_create(batch)
        made += len(batch)
    ids = list(Case.objects.filter(owner=user).order_by("-opened_at").values_list("pk", flat=True))
    with_entries = ids[: max(1, int(len(ids) * share))]
    for start in range(0, len(with_entries), 200):
        _entries(with_entries[start : start + 200], 25, user, now)
    small, large = with_entries[0], with_entries[1]
    _entries([large], 2475, user, now - dt.timedelta(days=200))
    for n in range(10):
        evidence_add(
            case=Case.objects.get(pk=small), author=user,
            uploads=[SimpleUploadedFile(f"screenshot-{n}.png", _png(n))],
            details=EvidenceDetails(kind="screenshot", caption=f"Screenshot {n}: {text(n, 8)}"),
        )  # fmt: skip
    return {"user": user, "small": small, "large": large, "client": people[0].pk}


def _entries(case_ids: list[int], per_case: int, user: User, now: dt.datetime) -> None:
    rows = []
    for case_id in case_ids:
        first = TimelineEntry.objects.filter(case_id=case_id).count()
        for i in range(per_case):
            when = now - dt.timedelta(hours=per_case - i)
            rows.append(
                TimelineEntry(
                    case_id=case_id,
                    kind="message_in" if i % 2 else "message_out",
                    channel="email",
                    body=text(case_id + i, 40 + i % 60),
                    happened_at=when,
                    recorded_at=when,
                    author=user,
                    sequence=first + i + 1,
                    shared=True,
                )
            )
    with transaction.atomic():
        TimelineEntry.objects.bulk_create(rows, batch_size=BATCH)
        for case_id in case_ids:
            Case.objects.filter(pk=case_id).update(
                chain_length=TimelineEntry.objects.filter(case_id=case_id).count(), last_entry_at=now
            )


def _png(n: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (40 * n % 255, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def session_cookie(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(settings_module: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn with {settings_module} did not start")


def fetch(base: str, path: str, cookie: str) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200 or response.url != base + path:
            raise SystemExit(f"{path} answered {response.status} at {response.url}")
    return time.perf_counter() - started


def latency(pages: dict, cookie: str, n: int, rounds: int = 5) -> dict:
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for base, path in pages.values():
        for _ in range(10):
            fetch(base, path, cookie)  # warm-up
    for _ in range(rounds):
        for name, (base, path) in pages.items():
            samples[name] += [fetch(base, path, cookie) for _ in range(n // rounds)]
    return samples


def throughput(base: str, path: str, cookie: str, duration: int) -> float:
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t1", "-c4", f"-d{duration}s", "-H", f"Cookie: {cookie}", base + path],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    import threading

    done, stop = [0], time.monotonic() + duration

    def loop():
        while time.monotonic() < stop:
            fetch(base, path, cookie)
            done[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / duration


def queries(path: str, settings_module: str, user: User) -> int:
    if settings_module != "config.settings":
        return 3  # the bare page: session, user, rows (by construction)
    client = TestClient()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--share", type=float, default=0.1, help="share of cases with 25 entries")
    parser.add_argument("--n", type=int, default=200, help="sequential requests per page")
    parser.add_argument("--duration", type=int, default=10, help="seconds of throughput per page and round")
    parser.add_argument(
        "--rounds", type=int, default=1,
        help="throughput rounds: each measures every page in turn, the bare page first; the table gives medians",
    )  # fmt: skip
    parser.add_argument(
        "--only", nargs="+", default=[], metavar="WORD", help="measure only the pages whose name has one of these words"
    )
    args = parser.parse_args()

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if Case.objects.exists():
        sys.exit("The database is not empty: run the benchmark on a throw-away database.")
    started = time.perf_counter()
    built = build(args.cases, args.clients, args.share, timezone.now())
    # The planner's statistics, as the nightly job (tasks.analyze_database) or autovacuum keeps them;
    # on PostgreSQL also the vacuum autovacuum would otherwise start on the fresh rows mid-measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    entries = TimelineEntry.objects.count()
    print(f"Built {Case.objects.count():,} cases, {Client.objects.count():,} clients, {entries:,} entries "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    user = built["user"]
    first = Case.objects.filter(owner=user).order_by("pk").values_list("pk", flat=True).first()
    settle_server, settle = serve("config.settings")
    bare_server, bare = serve("bench.bare_settings")
    try:
        paths = {
            "bare page (25 rows, keyset)": ("bench.bare_settings", bare, f"/bare/?after={first + 1000}"),
            "case list": ("config.settings", settle, "/cases/"),
            "case list, filtered": (
                "config.settings", settle, f"/cases/?stage=reminders&kind=billing&client={built['client']}"
            ),
            "case page, 25 entries + 10 files": ("config.settings", settle, f"/cases/{built['small']}/"),
            "case page, 2,500 entries": ("config.settings", settle, f"/cases/{built['large']}/"),
            "dashboard": ("config.settings", settle, "/"),
            "deadline board": ("config.settings", settle, "/deadlines/"),
            "reports, last 12 months": ("config.settings", settle, "/reports/"),
        }  # fmt: skip
        if args.only:  # the bare page always: every figure is a ratio to it
            paths = {name: page for i, (name, page) in enumerate(paths.items())
                     if i == 0 or any(word in name for word in args.only)}  # fmt: skip
        cookie = session_cookie(user)
        samples = latency({name: (base, path) for name, (_, base, path) in paths.items()}, cookie, args.n)
        # Throughput in rounds, each page against the bare page of the same round: a machine that
        # slows down for a minute moves both, not one.
        rounds = [
            {name: throughput(base, path, cookie, args.duration) for name, (_, base, path) in paths.items()}
            for _ in range(args.rounds)
        ]
        bare_name = next(iter(paths))
        rows = []
        for name, (module, _, path) in paths.items():
            times = sorted(samples[name])
            rows.append({
                "name": name,
                "sql": queries(path, module, user),
                "p50": statistics.median(times) * 1000,
                "p95": times[int(len(times) * 0.95) - 1] * 1000,
                "rps": statistics.median(sitting[name] for sitting in rounds),
                "rps_ratio": statistics.median(sitting[name] / sitting[bare_name] for sitting in rounds),
            })  # fmt: skip
    finally:
        settle_server.terminate()
        bare_server.terminate()
    floor = rows[0]
    print(f"\n{args.cases:,} cases, {connection.vendor}; gunicorn 2 sync workers; {args.n} sequential requests a page, "
          f"then {args.duration} s with 4 clients{' (wrk)' if shutil.which('wrk') else ''}, "
          f"{args.rounds} round{'s' if args.rounds != 1 else ''} (medians)\n")  # fmt: skip
    print("| page | SQL | p50 ms | p95 ms | req/s | p50 vs bare | req/s vs bare |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['name']} | {row['sql']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['rps']:.0f} | "
              f"{row['p50'] / floor['p50']:.1f}x | {row['rps_ratio']:.0%} |")  # fmt: skip


if __name__ == "__main__":
    main()

"""The case-file check is bounded: members, sizes (declared and real), the manifest, time, and checks per hour."""

import json
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from disputes.models import CasefileCheck
from disputes.services.verification import VerifyLimits, casefile_verify
from tests.zipcraft import deflated_zeros, write_zip

pytestmark = pytest.mark.django_db
GiB = 1024**3


def small_zip(path, members: dict[str, bytes], manifest=None):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if manifest is not None:
            archive.writestr("manifest.json", manifest if isinstance(manifest, bytes | str) else json.dumps(manifest))
    return path


@pytest.fixture(scope="module")
def one_gib_of_zeros():
    return deflated_zeros(GiB)


def test_forty_members_of_a_gib_each_are_refused_from_the_headers_at_once(tmp_path, one_gib_of_zeros):
    data, crc = one_gib_of_zeros
    bomb = tmp_path / "bomb.zip"
    write_zip(bomb, [(f"evidence/{i:03d}.bin", data, crc, GiB, 8) for i in range(40)])
    assert bomb.stat().st_size < 60 * 1024 * 1024  # 40 GiB unpacked, under 60 MB packed
    tracemalloc.start()
    started = time.perf_counter()
    report = casefile_verify(str(bomb))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok and "unpacks to 1,024 MB, over the 100 MB" in report.error
    assert elapsed < 2 and peak < 20 * 1024 * 1024


def test_a_member_that_unpacks_to_more_than_its_header_says_is_stopped_while_reading(tmp_path):
    data, crc = deflated_zeros(50 * 1024 * 1024)
    liar = tmp_path / "liar.zip"
    manifest = json.dumps({"files": [{"path": "evidence/a.bin", "size": 100, "sha256": "0" * 64}]}).encode()
    write_zip(
        liar,
        [
            ("evidence/a.bin", data, crc, 100, 8),  # declares 100 bytes, unpacks to 50 MB
            ("manifest.json", zlib.compress(manifest)[2:-4], zlib.crc32(manifest), len(manifest), 8),
        ],
    )
    tracemalloc.start()
    report = casefile_verify(str(liar))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok and report.error  # refused or found damaged, never read to the end
    assert peak < 20 * 1024 * 1024


def test_a_padded_manifest_is_refused_before_it_is_read(tmp_path):
    padded = json.dumps({"files": [], "padding": " " * (5 * 1024 * 1024)})
    report = casefile_verify(str(small_zip(tmp_path / "p.zip", {}, padded)))
    assert "manifest.json is 5.0 MB" in report.error


def test_a_deeply_nested_manifest_is_refused(tmp_path):
    nested = "[" * 5000 + "]" * 5000
    report = casefile_verify(str(small_zip(tmp_path / "n.zip", {}, nested)))
    assert report.error in (
        "The manifest cannot be read.",
        "The manifest is nested too deeply to be a Settle case file.",
    )
    deep = {"files": [], "x": [[[[[[[[[[[[[]]]]]]]]]]]]]}
    assert "nested too deeply" in casefile_verify(str(small_zip(tmp_path / "d.zip", {}, deep))).error


def test_too_many_members_too_much_in_all_and_too_slow_are_each_named(tmp_path):
    files = {f"evidence/{i}.txt": b"x" * 1000 for i in range(12)}
    manifest = {"files": [{"path": name, "size": 1000, "sha256": "0" * 64} for name in files]}
    path = small_zip(tmp_path / "many.zip", files, manifest)
    assert "holds 13 files" in casefile_verify(str(path), limits=VerifyLimits(members=10)).error
    assert "unpacks to 0 MB, over the 0 MB" in casefile_verify(str(path), limits=VerifyLimits(total_bytes=5000)).error
    ticks = iter(range(0, 10_000, 30))  # every reading step takes "30 seconds"
    slow = casefile_verify(str(path), limits=VerifyLimits(seconds=60), clock=lambda: next(ticks))
    assert "took longer than 60 seconds" in slow.error


@pytest.mark.parametrize("garbage", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40])
def test_garbage_is_a_verdict_not_a_crash(tmp_path, garbage):
    path = tmp_path / "g.zip"
    path.write_bytes(garbage)
    assert casefile_verify(str(path)).error == "This is not a ZIP file, or it is damaged."


def test_the_command_applies_the_same_limits(tmp_path, settings):
    settings.CASEFILE_VERIFY_MAX_MEMBERS = 10
    files = {f"evidence/{i}.txt": b"x" for i in range(12)}
    path = small_zip(tmp_path / "many.zip", files, {"files": []})
    with pytest.raises(CommandError, match="holds 13 files"):
        call_command("verify_casefile", str(path))


def test_the_page_records_each_check_and_limits_them_per_hour(owner_client, owner, tmp_path, settings):
    settings.CASEFILE_VERIFY_PER_HOUR = 3
    good = small_zip(tmp_path / "ok.zip", {"a.txt": b"hello"}, {"files": []})
    url = reverse("disputes:casefile_verify")
    for _ in range(3):
        upload = SimpleUploadedFile("ok.zip", good.read_bytes())
        assert owner_client.post(url, {"file": upload}).status_code == 200
    refused = owner_client.post(url, {"file": SimpleUploadedFile("ok.zip", good.read_bytes())})
    assert refused.status_code == 429 and "the most this page allows" in refused.content.decode()
    assert list(CasefileCheck.objects.values_list("verdict", flat=True)) == ["does_not_verify"] * 3

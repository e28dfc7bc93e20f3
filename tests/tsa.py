"""A real RFC 3161 timestamp authority for the tests: OpenSSL's `ts -reply` behind a local HTTP server.

The certificates are made here (a root and a timestamping certificate, with
the critical extended key usage RFC 3161 asks for), so a test can also run
an authority whose certificate has expired, or one that chains to a root
Settle does not trust. Every answer is signed by the `openssl` binary itself.

The answer carries the authority's own certificate only (no `-chain`):
OpenSSL writes a chain in chain order, which strict DER (and so
rfc3161-client) rejects as an unsorted SET OF; the root is what Settle is
configured with anyway.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {serial}
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1
digests = sha256, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
ordering = yes
tsa_name = yes
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Settle tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])  # fmt: skip


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class Authority:
    folder: Path
    root_pem: Path
    url: str = ""
    requests: int = 0
    _server: ThreadingHTTPServer | None = None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reply(self, query: bytes) -> bytes:
        self.requests += 1
        request = self.folder / f"q{self.requests}.tsq"
        answer = self.folder / f"r{self.requests}.tsr"
        request.write_bytes(query)
        subprocess.run(
            ["openssl", "ts", "-reply", "-config", str(self.folder / "ts.cnf"), "-queryfile", str(request),
             "-inkey", str(self.folder / "tsa.key"), "-signer", str(self.folder / "tsa.pem"),
             "-out", str(answer)],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        return answer.read_bytes()


def start_authority(folder: Path, *, expired: bool = False) -> Authority:
    """Make a root and a TSA certificate (already expired with `expired`), and serve `openssl ts -reply`."""
    if shutil.which("openssl") is None:
        raise RuntimeError("The openssl command is needed for the timestamp authority tests.")
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder().subject_name(_name("Test Root CA")).issuer_name(_name("Test Root CA"))
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400)).not_valid_after(now + dt.timedelta(days=400))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    start, end = (now - dt.timedelta(days=60), now - dt.timedelta(days=1)) if expired else (
        now - dt.timedelta(days=1), now + dt.timedelta(days=30))  # fmt: skip
    tsa = (
        x509.CertificateBuilder().subject_name(_name("Test Timestamp Authority")).issuer_name(root.subject)
        .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    (folder / "root.pem").write_bytes(_pem(root))
    (folder / "tsa.pem").write_bytes(_pem(tsa))
    private = tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "tsa.key").write_bytes(private)
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(CONFIG.format(serial=folder / "serial"))
    authority = Authority(folder=folder, root_pem=folder / "root.pem")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                answer = authority.reply(body)
            except subprocess.CalledProcessError:
                self.send_response(400)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    authority._server = server
    authority.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    return authority

"""uvicorn's certificate options: the server speaks HTTPS itself when given a certificate and key."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.live_server import LiveServer


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_https_with_uvicorn_certificate_options(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server = LiveServer(
        f"sqlite:///{tmp_path / 'tls.db'}",
        tmp_path,
        extra_args=["--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
    ).start()
    try:
        assert server.url.startswith("https://")
        assert (
            httpx.get(server.url + "/health", verify=ssl.create_default_context(cafile=str(cert))).json()[
                "status"
            ]
            == "ok"
        )
        listening = next(r for r in server.log_lines() if r.get("event") == "listening")
        assert listening["message"].startswith("Listening on https://")
    finally:
        server.stop()

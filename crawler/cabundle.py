"""GOVAUDIT_CA_BUNDLE: a PEM file of CA certificates trusted in addition to the
system's (intranet audits, the demo farm, tests). The net gatherer loads it into
its SSL context; Chromium gets the public keys of its certificates as
`--ignore-certificate-errors-spki-list`, so it accepts exactly the chains those
keys sign (or are) and still refuses every other invalid certificate."""
from __future__ import annotations

import base64
import hashlib
import logging
import os

log = logging.getLogger(__name__)


def bundle_path() -> str:
    return os.environ.get("GOVAUDIT_CA_BUNDLE", "").strip()


def spki_pins(path: str | None = None) -> list[str]:
    """base64 SHA-256 of each certificate's SubjectPublicKeyInfo (Chromium's pin format)."""
    path = bundle_path() if path is None else path
    if not path:
        return []
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    try:
        with open(path, "rb") as fh:
            certs = x509.load_pem_x509_certificates(fh.read())
    except (OSError, ValueError) as exc:
        log.warning("GOVAUDIT_CA_BUNDLE=%s unreadable: %s", path, exc)
        return []
    der = serialization.Encoding.DER
    info = serialization.PublicFormat.SubjectPublicKeyInfo
    return [base64.b64encode(hashlib.sha256(c.public_key().public_bytes(der, info)).digest()).decode("ascii")
            for c in certs]


def chromium_args(path: str | None = None) -> list[str]:
    pins = spki_pins(path)
    return [f"--ignore-certificate-errors-spki-list={','.join(pins)}"] if pins else []

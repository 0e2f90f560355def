"""Offline-verifiable certificates: Open Badges 3.0 credentials signed with Ed25519.

The document is a W3C Verifiable Credential v2 / ``OpenBadgeCredential`` with an
embedded ``DataIntegrityProof`` using the ``eddsa-jcs-2022`` cryptosuite:

    proofConfig   = proof options (no proofValue) + the document's @context
    hashData      = SHA-256(JCS(proofConfig)) || SHA-256(JCS(document without proof))
    proofValue    = "z" + base58btc(Ed25519-sign(hashData))

The verification method is a ``did:key`` (``did:key:z6Mk...#z6Mk...``), so anyone
holding the JSON can check it with the issuer's published public key; this
module only *trusts* keys the caller passes to :func:`verify_credential`.

JCS is the ``rfc8785`` library (RFC 8785 in full, numbers formatted as ECMAScript
does). A credential file is read with :func:`parse_credential_json`, which refuses
what JSON readers disagree on (duplicate keys, NaN/Infinity, numbers outside I-JSON's
safe range), so the signature covers the one meaning every verifier reads.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import math
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"
_ED25519_PUB_MULTICODEC = b"\xed\x01"

# --------------------------------------------------------------------------- base58btc

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


def b58encode(data: bytes) -> str:
    """Encode bytes as base58 (Bitcoin alphabet), keeping leading zero bytes as '1'."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet); raises ValueError on foreign characters."""
    if not isinstance(text, str):
        raise ValueError("base58 input must be a string")
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise ValueError(f"invalid base58 character {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc ('z' prefix)."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58btc string; raises ValueError otherwise."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("only multibase base58btc ('z...') is supported")
    return b58decode(text[1:])


# --------------------------------------------------------------------------- JCS


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes, by the maintained ``rfc8785`` library.

    Raises ``ValueError`` (``rfc8785.CanonicalizationError``) for what JCS cannot represent:
    integers outside the I-JSON safe range, NaN and infinities, non-string keys, lone
    surrogates and values that are not JSON at all."""
    return rfc8785.dumps(value)


# --------------------------------------------------------------------------- parsing

# Integers JSON readers agree on (I-JSON, RFC 7493 section 2.2): beyond this, JavaScript and
# most JSON libraries round, so two verifiers would see two different numbers.
MAX_SAFE_INTEGER = 2**53 - 1

PARSE_REASONS = {
    "not_utf8": "not a JSON credential: the file is not UTF-8 text",
    "not_json": "not a JSON credential: %(detail)s",
    "duplicate_key": 'the key "%(key)s" appears twice in one object: the file can be read in '
                     "two ways",
    "not_a_number": "%(value)s is not a JSON number",
    "unsafe_number": "the number %(number)s is outside I-JSON's safe range (whole numbers up to "
                     "2**53 - 1, finite numbers)",
    "too_deep": "the JSON is nested too deeply",
}


class CredentialParseError(ValueError):
    """A credential file refused before its signature is checked: a stable ``code`` (a key of
    ``PARSE_REASONS``) and its ``params``; ``str()`` is the English text."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(PARSE_REASONS[code] % params)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CredentialParseError("duplicate_key", key=_shorten(key))
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise CredentialParseError("not_a_number", value=name)


def _safe_int(text: str) -> int:
    # Check the length first: int() of thousands of digits is slow or refused.
    if len(text.lstrip("-")) > len(str(MAX_SAFE_INTEGER)) or abs(int(text)) > MAX_SAFE_INTEGER:
        raise CredentialParseError("unsafe_number", number=_shorten(text, 40))
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: too large for a double
        raise CredentialParseError("unsafe_number", number=_shorten(text, 40))
    return value


def parse_credential_json(raw: bytes | str) -> Any:
    """Read a credential file strictly, or raise :class:`CredentialParseError`.

    The signature covers the JCS form of the parsed document, so the file must have ONE
    meaning: Python's ``json`` keeps the last of two equal keys while other readers keep the
    first or refuse, reads ``NaN``/``Infinity`` that JSON does not have, and keeps integers
    that JavaScript rounds. All of these are refused here, before anything is verified."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise CredentialParseError("not_utf8") from None
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant,
                          parse_int=_safe_int, parse_float=_finite_float)
    except CredentialParseError:
        raise
    except json.JSONDecodeError as err:
        raise CredentialParseError("not_json", detail=str(err)) from None
    except RecursionError:
        raise CredentialParseError("too_deep") from None


# --------------------------------------------------------------------------- keys


def load_or_create_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load the PEM Ed25519 signing key at ``path``, creating it (mode 0600) if absent.

    Created whole or not at all: the key is written to a temporary file beside it, flushed to
    disk, then linked to ``path`` (the first writer wins; a process that loses the race reads
    the winner's key) — a full disk never leaves a half-written key behind. Raises OSError when
    it cannot be read or created, ValueError when the file is not an Ed25519 private key."""
    path = Path(path)
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                fh.write(key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:  # another worker won the race: use its key
                pem = path.read_bytes()
            else:
                return key
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _public(key: Ed25519PrivateKey | Ed25519PublicKey) -> Ed25519PublicKey:
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def _raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    return _public(key).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_multibase(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The did:key style multibase of the public key (``z6Mk...``)."""
    return multibase_encode(_ED25519_PUB_MULTICODEC + _raw_public(key))


def public_key_jwk(key: Ed25519PrivateKey | Ed25519PublicKey) -> dict[str, str]:
    """The public key as an RFC 8037 OKP JWK, with ``kid`` = its multibase."""
    x = base64.urlsafe_b64encode(_raw_public(key)).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": public_key_multibase(key)}


def verification_method(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """``did:key:z6Mk...#z6Mk...`` for the key."""
    mb = public_key_multibase(key)
    return f"did:key:{mb}#{mb}"


def _coerce_public_key(item: Any) -> Ed25519PublicKey:
    """Accept key objects, multibase strings, JWK dicts or 32 raw bytes."""
    if isinstance(item, Ed25519PrivateKey | Ed25519PublicKey):
        return _public(item)
    if isinstance(item, bytes) and len(item) == 32:
        return Ed25519PublicKey.from_public_bytes(item)
    if isinstance(item, str):
        raw = multibase_decode(item.removeprefix("did:key:").split("#")[0])
        if len(raw) != 34 or not raw.startswith(_ED25519_PUB_MULTICODEC):
            raise ValueError("not an Ed25519 multibase public key")
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    if isinstance(item, Mapping) and item.get("kty") == "OKP" and item.get("crv") == "Ed25519":
        x = str(item["x"])
        return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    raise ValueError(f"unsupported public key: {type(item).__name__}")


# --------------------------------------------------------------------------- build


def _iso(value: datetime | str) -> str:
    """XML Schema dateTime in UTC with seconds precision (``2026-11-26T03:04:05Z``).

    Only instants: a calendar date has no time of day, and reading one as midnight UTC made
    credentials issued in the Indonesian morning "not yet valid" for up to nine hours."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    raise TypeError(f"expected an aware datetime or an ISO string, not a {type(value).__name__} "
                    "(a date is not an instant)")


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _hash_data(document: Mapping[str, Any], proof_options: Mapping[str, Any]) -> bytes:
    config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    if "@context" in document:
        config["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(canonical_json(config)).digest()
        + hashlib.sha256(canonical_json(unsecured)).digest()
    )


def build_credential(
    claims: Mapping[str, Any],
    issuer: Mapping[str, Any],
    key: Ed25519PrivateKey,
    *,
    created: datetime,
) -> dict[str, Any]:
    """Build and sign an OpenBadgeCredential.

    ``claims`` keys: ``id`` (urn or verify URL), ``holder_name``, ``achievement_id``,
    ``achievement_name``, ``valid_from`` (datetime/date/ISO string) are required;
    ``achievement_description``, ``criteria`` (narrative), ``hours`` (int JP,
    published as ``creditsAvailable``), ``code`` (the certificate code),
    ``valid_until`` and ``name`` (credential title) are optional.
    Open Badges 3.0 wants the subject identified: pass ``holder_id`` (a URI such
    as ``urn:uuid:...``) and/or ``holder_email``, which is published only as a
    salted SHA-256 ``IdentityObject`` (check it with :func:`identity_matches`).
    ``issuer`` keys: ``id``, ``name``, ``url`` (``email`` optional).
    """
    for required in ("id", "holder_name", "achievement_id", "achievement_name", "valid_from"):
        if not claims.get(required):
            raise ValueError(f"claims[{required!r}] is required")
    for required in ("id", "name"):
        if not issuer.get(required):
            raise ValueError(f"issuer[{required!r}] is required")

    achievement: dict[str, Any] = {
        "id": str(claims["achievement_id"]),
        "type": ["Achievement"],
        "name": str(claims["achievement_name"]),
        "description": str(claims.get("achievement_description") or claims["achievement_name"]),
        "criteria": {"narrative": str(claims.get("criteria") or "")},
    }
    if claims.get("hours") is not None:
        achievement["creditsAvailable"] = int(claims["hours"])
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": str(claims["holder_name"]),
        "achievement": achievement,
    }
    if claims.get("holder_id"):
        subject["id"] = str(claims["holder_id"])
    if claims.get("holder_email"):
        salt = str(claims.get("identity_salt") or secrets.token_hex(8))
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": _identity_hash(str(claims["holder_email"]), salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    if claims.get("code"):
        # Not an OB 3.0 term: expands under the VC v2 issuer-dependent @vocab.
        subject["certificateCode"] = str(claims["code"])

    issuer_doc: dict[str, Any] = {
        "id": str(issuer["id"]),
        "type": ["Profile"],
        "name": str(issuer["name"]),
    }
    for optional in ("url", "email"):
        if issuer.get(optional):
            issuer_doc[optional] = str(issuer[optional])

    document: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": str(claims["id"]),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": str(claims.get("name") or claims["achievement_name"]),
        "issuer": issuer_doc,
        "validFrom": _iso(claims["valid_from"]),
        "credentialSubject": subject,
    }
    if claims.get("valid_until"):
        document["validUntil"] = _iso(claims["valid_until"])

    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _iso(created),
        "verificationMethod": verification_method(key),
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.sign(_hash_data(document, proof))
    proof["proofValue"] = multibase_encode(signature)
    document["proof"] = proof
    return document


def _identity_hash(email: str, salt: str) -> str:
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def identity_matches(doc: Any, email: str) -> bool:
    """True when the credential's hashed email identifier matches ``email``."""
    try:
        for item in doc["credentialSubject"].get("identifier") or []:
            if item.get("identityType") == "emailAddress" and item.get("hashed"):
                expected = _identity_hash(email, str(item.get("salt") or ""))
                if hmac.compare_digest(str(item.get("identityHash")), expected):
                    return True
    except (AttributeError, KeyError, TypeError):
        return False
    return False


# --------------------------------------------------------------------------- verify


# Why a credential is (not) valid: code -> English text with %-style params. The CLI prints
# these; the verify page translates the code itself (lms/verify/views.py REASON_MESSAGES).
REASONS = {
    "ok": "ok",
    "malformed": "malformed credential: %(detail)s",
    "not_object": "malformed credential: not a JSON object",
    "no_vc_context": "malformed credential: missing VC v2 @context",
    "not_vc": "malformed credential: not a VerifiableCredential",
    "unsigned": "no proof: the credential is not signed",
    "unsupported_proof": "unsupported proof: expected %(type)s with %(cryptosuite)s",
    "wrong_purpose": "wrong proof purpose: expected %(purpose)s",
    "context_mismatch": "proof @context does not match the document",
    "bad_method": "malformed verification method",
    "unknown_method": "unknown verification method",
    "untrusted_key": "signed by a key this issuer does not trust",
    "bad_proof_value": "malformed proof value",
    "bad_signature_length": "malformed proof value: wrong signature length",
    "not_canonical": "malformed credential: cannot be canonicalised",
    "altered": "signature does not match: the credential or its proof was altered",
    "bad_date": "malformed credential: bad %(field)s",
    "not_yet_valid": "not yet valid (valid from %(valid_from)s)",
    "expired": "expired on %(valid_until)s",
}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Outcome of :func:`verify_credential`: a ``code`` (a key of ``REASONS``) with its
    ``params``, so callers show it in the reader's language; ``reason`` is the English text.

    ``signature_ok`` is True once the signature checked out with a trusted key, even when the
    credential is outside its validity window (``code`` "not_yet_valid" or "expired");
    ``claims`` is filled whenever readable."""

    valid: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    signature_ok: bool = False

    @property
    def reason(self) -> str:
        return REASONS[self.code] % self.params


def extract_claims(doc: Any) -> dict[str, Any]:
    """Read the claims back out of a credential (same keys as :func:`build_credential`)."""
    if not isinstance(doc, Mapping):
        return {}
    claims: dict[str, Any] = {}
    subject = doc.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    criteria = achievement.get("criteria")
    issuer = doc.get("issuer")
    pairs = {
        "id": doc.get("id"),
        "name": doc.get("name"),
        "holder_name": subject.get("name"),
        "holder_id": subject.get("id"),
        "code": subject.get("certificateCode"),
        "achievement_id": achievement.get("id"),
        "achievement_name": achievement.get("name"),
        "achievement_description": achievement.get("description"),
        "criteria": criteria.get("narrative") if isinstance(criteria, Mapping) else None,
        "hours": achievement.get("creditsAvailable"),
        "valid_from": doc.get("validFrom"),
        "valid_until": doc.get("validUntil"),
        "issuer_id": issuer.get("id") if isinstance(issuer, Mapping) else issuer,
        "issuer_name": issuer.get("name") if isinstance(issuer, Mapping) else None,
        "issuer_url": issuer.get("url") if isinstance(issuer, Mapping) else None,
    }
    for name, value in pairs.items():
        if value is not None:
            claims[name] = value
    return claims


def _trusted_keys(public_keys: Any) -> dict[str, Ed25519PublicKey]:
    if isinstance(public_keys, Ed25519PrivateKey | Ed25519PublicKey | str | bytes) or (
        isinstance(public_keys, Mapping) and "kty" in public_keys
    ):
        public_keys = [public_keys]
    elif isinstance(public_keys, Mapping):
        public_keys = list(public_keys.values())
    trusted: dict[str, Ed25519PublicKey] = {}
    for item in public_keys if isinstance(public_keys, Iterable) else []:
        with contextlib.suppress(ValueError, TypeError, KeyError):
            key = _coerce_public_key(item)
            trusted[public_key_multibase(key)] = key
    return trusted


def verify_credential(
    doc: Any,
    public_keys: Any,
    *,
    now: datetime,
) -> VerificationResult:
    """Check a credential's eddsa-jcs-2022 proof against trusted keys; never raises.

    ``public_keys`` may be one key or an iterable/mapping of keys (key objects,
    ``z6Mk...`` multibase strings, JWK dicts). ``now`` is the moment of the check (the
    caller's clock: this module never reads the wall clock), for the validity window.
    """
    try:
        return _verify(doc, public_keys, now)
    except Exception as exc:  # malformed input of any shape must never raise
        return VerificationResult(False, "malformed", {"detail": type(exc).__name__})


def _verify(doc: Any, public_keys: Any, now: datetime) -> VerificationResult:
    if not isinstance(doc, Mapping):
        return VerificationResult(False, "not_object")
    claims = extract_claims(doc)

    def refuse(code: str, **params: Any) -> VerificationResult:
        return VerificationResult(False, code, params, claims)

    context = doc.get("@context")
    if not isinstance(context, list) or context[:1] != [VC_CONTEXT]:
        return refuse("no_vc_context")
    types = doc.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return refuse("not_vc")
    proof = doc.get("proof")
    if not isinstance(proof, Mapping):
        return refuse("unsigned")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return refuse("unsupported_proof", type=PROOF_TYPE, cryptosuite=CRYPTOSUITE)
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return refuse("wrong_purpose", purpose=PROOF_PURPOSE)
    if "@context" in proof and proof["@context"] != context:
        return refuse("context_mismatch")

    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return refuse("bad_method")
    # did:key:z6Mk...#z6Mk... or <issuer URL>#z6Mk...; trust comes from public_keys only.
    base, _, fragment = method.partition("#")
    if base.startswith("did:key:"):
        method_key = base.removeprefix("did:key:")
        if fragment and fragment != method_key:
            return refuse("bad_method")
    else:
        method_key = fragment
    if not method_key.startswith("z"):
        return refuse("unknown_method")
    key = _trusted_keys(public_keys).get(method_key)
    if key is None:
        return refuse("untrusted_key")

    try:
        signature = multibase_decode(proof.get("proofValue"))
    except ValueError:
        return refuse("bad_proof_value")
    if len(signature) != 64:
        return refuse("bad_signature_length")
    try:
        data = _hash_data(doc, proof)
    except (ValueError, TypeError, UnicodeEncodeError):
        return refuse("not_canonical")
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return refuse("altered")

    def outside(code: str, **params: Any) -> VerificationResult:
        return VerificationResult(False, code, params, claims, signature_ok=True)

    valid_from = _parse_iso(doc.get("validFrom"))
    if valid_from is None:
        return outside("bad_date", field="validFrom")
    if now < valid_from:
        return outside("not_yet_valid", valid_from=doc["validFrom"])
    if "validUntil" in doc:
        valid_until = _parse_iso(doc["validUntil"])
        if valid_until is None:
            return outside("bad_date", field="validUntil")
        if now > valid_until:
            return outside("expired", valid_until=doc["validUntil"])
    return VerificationResult(True, "ok", {}, claims, signature_ok=True)

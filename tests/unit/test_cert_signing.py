"""Signed Open Badges 3.0 credentials: sign, verify, and refuse every tampering."""

from __future__ import annotations

import copy
import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.certificates import signing
from lms.certificates.signing import (
    CRYPTOSUITE,
    OB_CONTEXT,
    PROOF_TYPE,
    VC_CONTEXT,
    CredentialParseError,
    b58decode,
    b58encode,
    build_credential,
    canonical_json,
    extract_claims,
    identity_matches,
    load_or_create_key,
    multibase_decode,
    parse_credential_json,
    public_key_jwk,
    public_key_multibase,
    verify_credential,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ISSUER = {
    "id": "https://pelita.example.id/issuer",
    "name": "Perpustakaan Nasional Republik Indonesia",
    "url": "https://pelita.example.id",
}
CLAIMS = {
    "id": "https://pelita.example.id/verifikasi/PLT-7Q3M-X9KD-4",
    "holder_name": "Ni Luh Putu Ayu Saraswati",
    "achievement_id": "https://pelita.example.id/kursus/tpbis-dasar",
    "achievement_name": "Transformasi Perpustakaan Berbasis Inklusi Sosial",
    "achievement_description": "Pelatihan dasar fasilitator TPBIS.",
    "criteria": "Menyelesaikan 8 modul dan lulus evaluasi akhir (nilai >= 70).",
    "hours": 32,
    "code": "PLT-7Q3M-X9KD-4",
    "holder_id": "urn:uuid:3f1e4a52-6c0d-4c1b-9a57-1c2f3e4d5a6b",
    "valid_from": datetime(2026, 11, 26, 3, 15, 0, tzinfo=UTC),
}


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture()
def credential(key) -> dict:
    return build_credential(CLAIMS, ISSUER, key, created=datetime(2026, 11, 26, 3, 15, tzinfo=UTC))


# ---------------------------------------------------------------- encodings


def test_base58_known_vectors():
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert b58encode(b"\0\0\x01") == "112"
    assert b58encode(b"") == ""
    for data in (b"", b"\0", b"\0\0\xff", os.urandom(64), b"\x00" + os.urandom(31)):
        assert b58decode(b58encode(data)) == data
    with pytest.raises(ValueError):
        b58decode("0OIl")


def test_multibase_public_key_is_did_key_style(key):
    mb = public_key_multibase(key)
    assert mb.startswith("z6Mk")
    raw = multibase_decode(mb)
    assert raw[:2] == b"\xed\x01" and len(raw) == 34
    jwk = public_key_jwk(key)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["kid"] == mb
    assert "d" not in jwk  # never the private part


def test_known_did_key_vector():
    # RFC 8032 test 1 public key, as a did:key multibase.
    raw = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    public = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    ).public_key()
    assert multibase_decode(public_key_multibase(public))[2:] == raw


def test_jcs_sorts_keys_by_utf16_and_has_no_whitespace():
    value = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    keys = [json.loads(f"[{k}]")[0] for k in _top_keys(canonical_json(value))]
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert (
        canonical_json({"b": [1, True, None], "a": "é\n"})
        == '{"a":"é\\n","b":[1,true,null]}'.encode()
    )


def _top_keys(blob: bytes) -> list[str]:
    decoded = json.loads(blob)
    return [json.dumps(k, ensure_ascii=False) for k in decoded]


def test_jcs_refuses_what_it_cannot_canonicalise():
    for bad in ({"x": 2**60}, {"x": -(2**53)}, {1: "x"}, {"x": object()}, {"x": float("nan")},
                {"x": float("inf")}, {"x": "\ud800"}):
        with pytest.raises(ValueError):
            canonical_json(bad)


def test_jcs_formats_numbers_as_rfc_8785_does():
    """RFC 8785 section 3.2.2.3's example: numbers are written as ECMAScript writes them (the
    hand-written subset refused every non-integer, so such credentials could not be checked)."""
    value = [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001]
    assert canonical_json(value) == b"[333333333.3333333,1e+30,4.5,0.002,1e-27]"
    assert canonical_json({"n": [-0.0, 1e21, 1e20, 1e-7, 0.000001, 2**53 - 1]}) == (
        b'{"n":[0,1e+21,100000000000000000000,1e-7,0.000001,9007199254740991]}')


def test_jcs_matches_rfc_8785_string_example():
    """RFC 8785 section 3.2.2.2: the JSON text and its canonical form, byte for byte."""
    source = r'''"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"'''
    assert canonical_json(json.loads(source)) == r'''"€$\u000f\nA'B\"\\\\\"/"'''.encode()


# ---------------------------------------------------------------- W3C test vectors
# From w3c/vc-di-eddsa TestVectors/ (keyPair.json, eddsa-jcs-2022/): the
# specification's own key, document, combined hash and signed credential.
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_UNSIGNED = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
W3C_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}",
    "proofPurpose": "assertionMethod",
}
W3C_COMBINED_HASH = (
    "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"
    "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
)
W3C_SIGNED_PROOF = {
    **W3C_PROOF,
    "verificationMethod": f"https://vc.example/issuers/5678#{W3C_PUBLIC}",
    "@context": W3C_UNSIGNED["@context"],
    "proofValue": "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4",
}


def test_w3c_key_pair_vector():
    raw = multibase_decode(W3C_SECRET)
    assert raw[:2] == b"\x80\x26"  # ed25519-priv multicodec
    assert public_key_multibase(Ed25519PrivateKey.from_private_bytes(raw[2:])) == W3C_PUBLIC


def test_w3c_combined_hash_vector():
    assert signing._hash_data(W3C_UNSIGNED, W3C_PROOF).hex() == W3C_COMBINED_HASH


def test_w3c_signed_credential_verifies_and_its_signature_is_reproduced():
    signed = {**W3C_UNSIGNED, "proof": W3C_SIGNED_PROOF}
    result = verify_credential(signed, [W3C_PUBLIC], now=NOW)
    assert result.valid, result.reason
    key = Ed25519PrivateKey.from_private_bytes(multibase_decode(W3C_SECRET)[2:])
    signature = key.sign(signing._hash_data(W3C_UNSIGNED, W3C_SIGNED_PROOF))
    assert signing.multibase_encode(signature) == W3C_SIGNED_PROOF["proofValue"]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert not verify_credential(tampered, [W3C_PUBLIC], now=NOW).valid


SIGNED_BEFORE = Path(__file__).parents[1] / "data" / "credentials" / "signed-by-hand-written-jcs.json"
RFC8032_KEY = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"


def test_credentials_signed_with_the_hand_written_jcs_still_verify():
    """Issued before JCS became the rfc8785 library (non-ASCII, an emoji, quotes, a backslash,
    DEL and a control character in the name): certificates already handed out stay valid."""
    doc = json.loads(SIGNED_BEFORE.read_text(encoding="utf-8"))
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_KEY))
    result = verify_credential(doc, [key.public_key()], now=NOW)
    assert result.valid, result.reason
    assert result.claims["holder_name"].endswith("\U0001f600 \"q\" \\ \x7f\x01")
    rebuilt = build_credential(
        {**extract_claims(doc), "holder_email": "ayu@example.id", "identity_salt": "0123456789abcdef",
         "valid_from": doc["validFrom"], "valid_until": doc["validUntil"]},
        {"id": doc["issuer"]["id"], "name": doc["issuer"]["name"], "url": doc["issuer"]["url"]},
        key, created=doc["proof"]["created"])
    assert rebuilt == doc  # and signing today gives the same bytes


# ---------------------------------------------------------------- shape


def test_credential_shape_follows_open_badges_3(credential, key):
    assert credential["@context"] == [VC_CONTEXT, OB_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["validFrom"] == "2026-11-26T03:15:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == CLAIMS["holder_name"]
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["creditsAvailable"] == 32
    assert subject["achievement"]["criteria"]["narrative"].startswith("Menyelesaikan")
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == CRYPTOSUITE == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith("did:key:z6Mk")
    assert proof["proofValue"].startswith("z")
    assert len(multibase_decode(proof["proofValue"])) == 64
    json.dumps(credential)  # plain JSON all the way down


def test_subject_identity_hashes_the_email(key):
    doc = build_credential({**CLAIMS, "holder_email": "Ayu@Example.id"}, ISSUER, key, created=NOW)
    subject = doc["credentialSubject"]
    assert subject["id"] == CLAIMS["holder_id"]
    (identity,) = subject["identifier"]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "ayu@example.id" not in json.dumps(doc).lower()
    assert identity_matches(doc, "ayu@example.id ")
    assert not identity_matches(doc, "someone@example.id")
    assert not identity_matches({"credentialSubject": 5}, "ayu@example.id")
    assert verify_credential(doc, [key], now=NOW).valid


def test_valid_from_and_until_are_instants_in_utc(key):
    issued = datetime(2026, 11, 26, 6, 30, 15, 999, tzinfo=ZoneInfo("Asia/Jakarta"))
    doc = build_credential(
        {**CLAIMS, "valid_from": issued, "valid_until": datetime(2029, 11, 26, 16, 59, 59,
                                                                 tzinfo=UTC)},
        ISSUER, key, created=issued)
    assert doc["validFrom"] == "2026-11-25T23:30:15Z"  # 06:30 WIB is the evening before in UTC
    assert doc["validUntil"] == "2029-11-26T16:59:59Z"
    assert doc["proof"]["created"] == "2026-11-25T23:30:15Z"
    assert verify_credential(doc, [key], now=NOW).valid


def test_a_calendar_date_is_not_accepted_as_a_validity_instant(key):
    """A date has no time of day: read as midnight UTC it made credentials issued in the
    Indonesian morning 'not yet valid' for hours. The builder wants instants."""
    with pytest.raises(TypeError, match="date"):
        build_credential({**CLAIMS, "valid_from": date(2026, 11, 26)}, ISSUER, key, created=NOW)


def test_missing_required_claim_is_refused(key):
    with pytest.raises(ValueError, match="holder_name"):
        build_credential({**CLAIMS, "holder_name": ""}, ISSUER, key, created=NOW)


# ---------------------------------------------------------------- verify


def test_sign_then_verify_round_trips_the_claims(credential, key):
    result = verify_credential(credential, [key.public_key()], now=NOW)
    assert result.valid, result.reason
    assert result.reason == "ok"
    claims = result.claims
    for name in (
        "id",
        "holder_name",
        "holder_id",
        "achievement_id",
        "achievement_name",
        "criteria",
        "hours",
        "code",
    ):
        assert claims[name] == CLAIMS[name]
    assert claims["issuer_name"] == ISSUER["name"]


def test_survives_a_json_round_trip(credential, key):
    reparsed = json.loads(json.dumps(credential, indent=2, ensure_ascii=True))
    assert verify_credential(reparsed, key, now=NOW).valid


def test_accepts_keys_as_multibase_or_jwk(credential, key):
    assert verify_credential(credential, [public_key_multibase(key)], now=NOW).valid
    assert verify_credential(credential, {"2026": public_key_jwk(key)}, now=NOW).valid
    assert verify_credential(credential, public_key_jwk(key), now=NOW).valid


TAMPERINGS = {
    "holder name": lambda d: d["credentialSubject"].__setitem__(
        "name", "Ni Luh Putu Ayu Saraswati "
    ),
    "course": lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Kursus Lain"),
    "hours": lambda d: d["credentialSubject"]["achievement"].__setitem__("creditsAvailable", 320),
    "code": lambda d: d["credentialSubject"].__setitem__("certificateCode", "PLT-0000-0000-0"),
    "date": lambda d: d.__setitem__("validFrom", "2025-11-26T03:15:00Z"),
    "added expiry": lambda d: d.__setitem__("validUntil", "2099-01-01T00:00:00Z"),
    "issuer name": lambda d: d["issuer"].__setitem__("name", "Lembaga Palsu"),
    "issuer id": lambda d: d["issuer"].__setitem__("id", "https://evil.example/issuer"),
    "credential id": lambda d: d.__setitem__("id", "urn:uuid:00000000-0000-0000-0000-000000000000"),
    "context": lambda d: d["@context"].append("https://evil.example/ctx"),
    "extra claim": lambda d: d["credentialSubject"].__setitem__("score", 100),
    "proof created": lambda d: d["proof"].__setitem__("created", "2020-01-01T00:00:00Z"),
    "proof value": lambda d: d["proof"].__setitem__(
        "proofValue",
        d["proof"]["proofValue"][:-1] + ("2" if d["proof"]["proofValue"][-1] != "2" else "3"),
    ),
    "proof removed": lambda d: d.pop("proof"),
    "proof purpose": lambda d: d["proof"].__setitem__("proofPurpose", "authentication"),
    "cryptosuite": lambda d: d["proof"].__setitem__("cryptosuite", "eddsa-rdfc-2022"),
}


@pytest.mark.parametrize("what", sorted(TAMPERINGS))
def test_any_tampering_fails(credential, key, what):
    doc = copy.deepcopy(credential)
    TAMPERINGS[what](doc)
    result = verify_credential(doc, [key], now=NOW)
    assert not result.valid and not result.signature_ok
    assert result.code in signing.REASONS and result.code != "ok"
    assert result.reason and result.reason != "ok"


def test_tampered_claim_reason_says_altered(credential, key):
    doc = copy.deepcopy(credential)
    doc["credentialSubject"]["name"] = "Orang Lain"
    result = verify_credential(doc, [key], now=NOW)
    assert "altered" in result.reason
    assert result.claims["holder_name"] == "Orang Lain"  # shown, but flagged invalid


def test_wrong_key_fails(credential):
    other = Ed25519PrivateKey.generate()
    result = verify_credential(credential, [other.public_key()], now=NOW)
    assert not result.valid and "trust" in result.reason
    assert not verify_credential(credential, [], now=NOW).valid


def test_forgery_with_own_key_fails(key):
    forger = Ed25519PrivateKey.generate()
    forged = build_credential(CLAIMS, ISSUER, forger, created=NOW)
    assert verify_credential(forged, [forger], now=NOW).valid  # internally consistent...
    assert not verify_credential(forged, [key], now=NOW).valid  # ...but not by our key


def test_swapping_verification_method_to_another_trusted_key_fails(credential, key):
    other = Ed25519PrivateKey.generate()
    doc = copy.deepcopy(credential)
    mb = public_key_multibase(other)
    doc["proof"]["verificationMethod"] = f"did:key:{mb}#{mb}"
    result = verify_credential(doc, [key, other], now=NOW)
    assert not result.valid and "altered" in result.reason


def test_key_rotation_old_credentials_still_verify(credential, key):
    new_key = Ed25519PrivateKey.generate()
    assert verify_credential(credential, [new_key, key], now=NOW).valid


def test_validity_window(key):
    doc = build_credential({**CLAIMS, "valid_until": datetime(2027, 1, 1, tzinfo=UTC)}, ISSUER, key,
                           created=NOW)
    assert verify_credential(doc, [key], now=NOW).valid
    late = verify_credential(doc, [key], now=datetime(2027, 6, 1, tzinfo=UTC))
    assert not late.valid and "expired" in late.reason
    early = verify_credential(doc, [key], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert not early.valid and "not yet valid" in early.reason


def test_results_carry_a_code_and_parameters_for_translation(credential, key):
    """signing.py stays pure: a code plus parameters; the page translates, the CLI prints
    the English text."""
    doc = copy.deepcopy(credential)
    doc["credentialSubject"]["name"] = "Orang Lain"
    altered = verify_credential(doc, [key], now=NOW)
    assert (altered.valid, altered.code, altered.params, altered.signature_ok) == (
        False, "altered", {}, False)
    assert altered.reason == "signature does not match: the credential or its proof was altered"
    ok = verify_credential(credential, [key], now=NOW)
    assert (ok.valid, ok.code, ok.signature_ok) == (True, "ok", True)

    expiring = build_credential({**CLAIMS, "valid_until": datetime(2027, 1, 1, tzinfo=UTC)},
                                ISSUER, key, created=NOW)
    late = verify_credential(expiring, [key], now=datetime(2027, 6, 1, tzinfo=UTC))
    assert (late.valid, late.code, late.signature_ok) == (False, "expired", True)
    assert late.params == {"valid_until": "2027-01-01T00:00:00Z"}
    assert late.reason == "expired on 2027-01-01T00:00:00Z"
    untrusted = verify_credential(credential, [Ed25519PrivateKey.generate()], now=NOW)
    assert (untrusted.code, untrusted.signature_ok) == ("untrusted_key", False)
    broken = verify_credential(42, [key], now=NOW)
    assert (broken.code, broken.reason) == ("not_object", "malformed credential: not a JSON object")


def test_every_reason_text_formats_with_its_parameters():
    params = {"detail": "X", "type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE,
              "purpose": "assertionMethod", "field": "validFrom", "valid_from": "2026",
              "valid_until": "2027"}
    for code, text in signing.REASONS.items():
        assert "%(" not in text % params, code


GARBAGE = [
    None,
    "",
    "not json",
    b"\x00\xff",
    42,
    1.5,
    [],
    [{"proof": {}}],
    {},
    {"proof": None},
    {"@context": "x", "proof": 5},
    {"@context": [VC_CONTEXT], "type": ["VerifiableCredential"]},
    {"@context": [VC_CONTEXT], "type": ["VerifiableCredential"], "proof": []},
    {"@context": [VC_CONTEXT], "type": ["VerifiableCredential"], "validFrom": 1.5,
     "proof": {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE,
               "proofPurpose": "assertionMethod", "verificationMethod": "did:key:z0OIl",
               "proofValue": "z0OIl"}},
]  # fmt: skip


@pytest.mark.parametrize("doc", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_invalid_without_raising(doc, key):
    result = verify_credential(doc, [key], now=NOW)
    assert result.valid is False and result.reason
    assert isinstance(result.claims, dict)


def test_weird_values_inside_a_signed_document_never_raise(credential, key):
    for mutate in (
        lambda d: d.__setitem__("validFrom", 1.5),
        lambda d: d["credentialSubject"].__setitem__("name", "\ud800"),  # lone surrogate
        lambda d: d["proof"].__setitem__("proofValue", "zzzz"),
        lambda d: d["proof"].__setitem__("proofValue", None),
        lambda d: d["proof"].__setitem__("verificationMethod", {"id": 1}),
        lambda d: d.__setitem__("credentialSubject", [1, 2, 3]),
        lambda d: d.__setitem__("issuer", "https://issuer.example"),
        lambda d: d.__setitem__("validFrom", "yesterday"),
    ):
        doc = copy.deepcopy(credential)
        mutate(doc)
        result = verify_credential(doc, [key], now=NOW)
        assert not result.valid, result


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_json_never_raises(value):
    result = verify_credential(value, [], now=NOW)
    assert result.valid is False


@settings(max_examples=150, deadline=None)
@given(
    path=st.lists(
        st.sampled_from(
            ["credentialSubject", "achievement", "issuer", "proof", "name", "id", "type"]
        ),
        min_size=1,
        max_size=3,
    ),
    replacement=json_values,
)
def test_random_replacements_inside_a_valid_credential_fail_cleanly(key, path, replacement):
    doc = build_credential(CLAIMS, ISSUER, key, created=datetime(2026, 11, 26, tzinfo=UTC))
    target = doc
    for step in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(step), dict):
            break
        target = target[step]
    original = copy.deepcopy(target.get(path[-1])) if isinstance(target, dict) else None
    if not isinstance(target, dict) or original == replacement:
        return
    target[path[-1]] = replacement
    result = verify_credential(doc, [key], now=NOW)
    assert result.valid is False


# ---------------------------------------------------------------- reading the file


def test_a_credential_file_is_read_and_verified(credential, key):
    text = json.dumps(credential, indent=2)
    assert parse_credential_json(text.encode()) == credential
    assert verify_credential(parse_credential_json(text), [key], now=NOW).valid


def test_duplicate_keys_are_refused_at_any_depth(credential):
    """Python keeps the last of two equal keys, other readers the first: a file with
    "name":"Forged","name":"Real" would show one holder here and another elsewhere."""
    real = json.dumps(credential)
    holder = json.dumps(credential["credentialSubject"]["name"])
    forged = real.replace(f'"name": {holder}', f'"name": "Forged", "name": {holder}', 1)
    assert forged != real
    with pytest.raises(CredentialParseError) as err:
        parse_credential_json(forged)
    assert err.value.code == "duplicate_key" and err.value.params == {"key": "name"}
    assert 'the key "name" appears twice' in str(err.value)
    for text in ('{"a": 1, "a": 1}', '[{"x": {"b": 1, "c": 2, "b": 1}}]'):
        with pytest.raises(CredentialParseError, match="appears twice"):
            parse_credential_json(text)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_refused(constant):
    with pytest.raises(CredentialParseError) as err:
        parse_credential_json(f'{{"hours": {constant}}}')
    assert err.value.code == "not_a_number" and err.value.params == {"value": constant}
    assert str(err.value) == f"{constant} is not a JSON number"


@pytest.mark.parametrize("number", [str(2**53), str(-(2**53)), "1" * 5000, "1e400", "-1e400"])
def test_numbers_outside_the_i_json_safe_range_are_refused(number):
    with pytest.raises(CredentialParseError) as err:
        parse_credential_json(f'{{"hours": {number}}}')
    assert err.value.code == "unsafe_number"
    assert "outside I-JSON's safe range" in str(err.value)
    assert len(err.value.params["number"]) <= 40


def test_numbers_inside_the_safe_range_are_kept():
    parsed = parse_credential_json(f'[{2**53 - 1}, {-(2**53 - 1)}, 1.5, -0, 1e300, 2.0]')
    assert parsed == [2**53 - 1, -(2**53 - 1), 1.5, 0, 1e300, 2.0]


@pytest.mark.parametrize("raw, code", [
    (b"\xff\xfe{}", "not_utf8"),
    (b"not json", "not_json"),
    (b'{"a": 1', "not_json"),
    (b"[" * 100_000, "too_deep"),
])
def test_files_that_are_not_json_are_refused_with_a_code(raw, code):
    with pytest.raises(CredentialParseError) as err:
        parse_credential_json(raw)
    assert err.value.code == code and str(err.value)


# ---------------------------------------------------------------- key file


def test_key_file_created_with_0600_and_reused(tmp_path):
    path = tmp_path / "instance" / "keys" / "certificate-signing.pem"
    first = load_or_create_key(path)
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    second = load_or_create_key(path)
    assert public_key_multibase(first) == public_key_multibase(second)
    doc = build_credential(CLAIMS, ISSUER, first, created=NOW)
    assert verify_credential(doc, [second.public_key()], now=NOW).valid


def test_key_file_with_another_key_type_is_refused(tmp_path):
    path = tmp_path / "ec.pem"
    ec = generate_private_key(SECP256R1())
    path.write_bytes(
        ec.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_or_create_key(path)

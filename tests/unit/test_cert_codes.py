"""Certificate codes: shape, normalisation, and detection of every typing slip."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.certificates import codes
from lms.certificates.codes import (
    ALPHABET,
    CodeCheck,
    check_code,
    format_code,
    generate_code,
    likely_corrections,
    normalise_code,
)

SHAPE = re.compile(r"^PLT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$")


def _symbols(code: str) -> str:
    return code.replace("PLT-", "").replace("-", "")


def _random_codes(n: int, seed: int = 20261126) -> list[str]:
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        payload = "".join(rng.choice(ALPHABET) for _ in range(8))
        result.append(format_code(payload + codes.check_symbol(payload)))
    return result


def test_alphabet_is_crockford_base32():
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_generated_codes_have_the_canonical_shape_and_pass_their_check():
    for _ in range(500):
        code = generate_code()
        assert SHAPE.match(code), code
        assert check_code(code) == CodeCheck("ok", code)
        assert normalise_code(code) == code


def test_codes_carry_at_least_40_random_bits():
    assert codes.PAYLOAD_LENGTH == 8 and codes.RANDOM_BITS >= 40
    generated = [_symbols(generate_code()) for _ in range(3000)]
    assert len(set(generated)) == len(generated)
    # every payload position really varies over (nearly) the whole alphabet
    for position in range(8):
        assert len({g[position] for g in generated}) >= 30


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "{lower}",
        "{bare}",
        "{bare_lower}",
        "  {spaced}  ",
        "plt_{bare}",
        "PLT {bare}",
        "PLT--{bare}",
        "{o_for_zero}",
        "P1T-{bare}",
    ],
)
def test_normalisation_of_typed_variants(typed):
    code = "PLT-0A1B-2C0D-" + codes.check_symbol("0A1B2C0D")
    bare = _symbols(code)
    text = typed.format(
        code=code,
        lower=code.lower(),
        bare=bare,
        bare_lower=bare.lower(),
        spaced=" ".join([bare[:4], bare[4:8], bare[8]]),
        o_for_zero=code.replace("0", "O").replace("PLT-", "pLt-", 1),
    )
    assert normalise_code(text) == code
    assert check_code(text).state == "ok"


def test_i_and_l_read_as_one():
    code = "PLT-1111-1A1B-" + codes.check_symbol("11111A1B")
    assert normalise_code("plt-iLIl-1a1b-" + code[-1]) == code
    assert normalise_code("PLT-IIII-LALB-" + code[-1].lower()) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        12345,
        "PLT",
        "PLT-ABCD-EFGH",  # check symbol missing
        "PLT-ABCD-EFGH-JK",  # one too many
        "ABCD-EFGH-J-K-M",  # 10 symbols without prefix
        "PLT-ABCD-EFGH-U",  # U is not in the alphabet
        "PLT-ABCD-EF!H-J",
        "XYZ-ABCD-EFGH-J",  # wrong prefix
        "PLT-ABCD-EFGH-Ä",
        "x" * 500,
    ],
)
def test_malformed_input(text):
    assert normalise_code(text) is None
    result = check_code(text)
    assert result.state == "malformed" and result.code is None and not result.ok


def test_mistyped_is_distinguished_from_malformed():
    code = generate_code()
    last = code[-1]
    wrong = next(s for s in ALPHABET if s != last)
    result = check_code(code[:-1] + wrong)
    assert result.state == "mistyped"
    assert result.code == code[:-1] + wrong
    assert not result.ok


def _assert_detects_all_slips(code: str) -> None:
    symbols = list(_symbols(code))
    # every position x every other symbol
    for position in range(9):
        for substitute in ALPHABET:
            if substitute == symbols[position]:
                continue
            typo = symbols.copy()
            typo[position] = substitute
            assert check_code("".join(typo)).state == "mistyped", (code, position, substitute)
    # every swap of two different symbols, adjacent or not
    for i in range(9):
        for j in range(i + 1, 9):
            if symbols[i] == symbols[j]:
                continue
            swapped = symbols.copy()
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert check_code("".join(swapped)).state == "mistyped", (code, i, j)


def test_every_substitution_and_transposition_is_caught_on_many_random_codes():
    for code in _random_codes(400):
        _assert_detects_all_slips(code)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
def test_every_slip_is_caught_property(payload):
    _assert_detects_all_slips(format_code(payload + codes.check_symbol(payload)))


def test_detection_holds_for_all_codes_by_linearity():
    """The check is linear over GF(32): a slip is caught for EVERY code iff the
    difference it makes is non-zero, which depends only on the symbols involved.
    Enumerate every position and symbol pair to prove it for all 2**40 codes."""
    zero = [0] * 9
    for position in range(9):
        for x in range(32):
            for y in range(32):
                if x == y:
                    continue
                a, b = zero.copy(), zero.copy()
                a[position], b[position] = x, y
                assert codes._fold(a) != codes._fold(b)
                if position < 8:  # adjacent transposition (x, y) -> (y, x)
                    c, d = zero.copy(), zero.copy()
                    c[position], c[position + 1] = x, y
                    d[position], d[position + 1] = y, x
                    assert codes._fold(c) != codes._fold(d)


def test_check_symbol_stays_within_the_typeable_alphabet():
    for code in _random_codes(2000, seed=7):
        assert code[-1] in ALPHABET


def test_likely_corrections_offer_the_intended_code():
    code = _random_codes(1, seed=3)[0]
    symbols = list(_symbols(code))
    symbols[2] = next(s for s in ALPHABET if s != symbols[2])
    typo = "".join(symbols)
    assert check_code(typo).state == "mistyped"
    suggestions = likely_corrections(typo)
    assert code in suggestions
    assert all(check_code(s).ok for s in suggestions)
    assert likely_corrections("nonsense") == []

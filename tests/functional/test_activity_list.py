"""The field-activity list (/cascade/activities): 50 a page with "Showing 51–100 of 120" and
previous/next links, filters by status, facilitator, province/regency and dates kept across
pages (plain GET, no JavaScript), and the CSV (/cascade/activities.csv) of every matching row
with the same filters and the same access as the list.

The world: a master trainer trained two facilitators (Ani, Budi); a third facilitator (Citra)
was trained by nobody here. Ani's activities are in Kota Depok and Kota Bandung (Jawa Barat),
Budi's in Jakarta Pusat."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.cascade.models import FieldActivity
from lms.extensions import db
from tests.helpers.cascade import VILLAGE, course, record, seen, trained_facilitator
from tests.helpers.pages import login

BANDUNG = "32.73.01.1001"  # Sukarasa, Sukasari, Kota Bandung, Jawa Barat
JAKARTA = "31.71.01.1001"  # Gambir, Gambir, Jakarta Pusat


def bulk(facilitator, n: int, *, village: str = VILLAGE, start=date(2026, 11, 20), **extra):
    """`n` activities of `facilitator`, one a day going back from `start`."""
    province, regency = village[:2], village[:5]
    db.session.add_all([FieldActivity(
        facilitator_id=facilitator.id, kind="training", activity_date=start - timedelta(days=i),
        village_code=village, province_code=province, regency_code=regency,
        library_name="Perpustakaan Desa", women=2, men=1, topic=f"Kegiatan {i}", **extra)
        for i in range(n)])
    db.session.commit()


@pytest.fixture
def world(app, tmp_path, make_user, trainer_user):
    ani = make_user("facilitator", full_name="Ani Fasilitator")
    budi = make_user("facilitator", full_name="Budi Fasilitator")
    citra = make_user("facilitator", full_name="Citra Fasilitator")
    trained_facilitator(trainer_user, [ani, budi], course(tmp_path, "kursus-daftar"))
    return {"ani": ani, "budi": budi, "citra": citra, "trainer": trainer_user}


def rows(html: str) -> int:
    body = html[html.index("<tbody>", html.index('id="activity-list"')):]
    return body[:body.index("</tbody>")].count("<tr>")


def showing(html: str) -> str:
    match = re.search(r'id="activity-count">\s*([^<]*)', html)
    return " ".join(match.group(1).split()) if match else ""


def test_fifty_a_page_with_previous_and_next(client, world):
    bulk(world["ani"], 120)
    login(client, world["ani"])
    first = client.get("/cascade/activities").get_data(as_text=True)
    assert rows(first) == 50
    assert showing(first) == "Showing 1–50 of 120"
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "Kegiatan 0<" in first and "Kegiatan 50<" not in first  # newest first
    second = client.get("/cascade/activities?page=2").get_data(as_text=True)
    assert showing(second) == "Showing 51–100 of 120" and "Kegiatan 50<" in second
    last = client.get("/cascade/activities?page=3").get_data(as_text=True)
    assert rows(last) == 20 and showing(last) == "Showing 101–120 of 120"
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert showing(client.get("/cascade/activities?page=99").get_data(as_text=True)) == (
        "Showing 101–120 of 120")  # past the end: the last page


def test_indonesian_groups_thousands_with_a_dot(client, world):
    bulk(world["ani"], 1001, start=date(2026, 11, 25))
    login(client, world["ani"], in_english=False)
    html = client.get("/cascade/activities?page=2").get_data(as_text=True)
    assert showing(html) == "Menampilkan 51–100 dari 1.001"


def test_filters_narrow_the_list_and_stay_on_the_next_page(client, world):
    bulk(world["ani"], 60, village=VILLAGE, start=date(2026, 11, 20))
    bulk(world["ani"], 3, village=BANDUNG, start=date(2026, 8, 1),
         confirmed_at=datetime(2026, 8, 2, tzinfo=UTC))
    bulk(world["budi"], 4, village=JAKARTA, start=date(2026, 11, 1))
    bulk(world["citra"], 5, village=VILLAGE)
    login(client, world["trainer"])
    html = client.get("/cascade/activities").get_data(as_text=True)
    assert showing(html) == "Showing 1–50 of 67"  # not Citra's: not their facilitator
    select = html[html.index('id="f-facilitator"'):]
    select = select[:select.index("</select>")]
    assert "Ani Fasilitator" in select and "Budi Fasilitator" in select
    assert "Citra Fasilitator" not in select

    def count(query: str) -> str:
        return showing(client.get("/cascade/activities?" + query).get_data(as_text=True))

    assert count(f"facilitator={world['budi'].id}") == "Showing 1–4 of 4"
    assert count(f"facilitator={world['citra'].id}") == ""  # not theirs to see
    assert count("status=confirmed") == "Showing 1–3 of 3"
    assert count("status=unconfirmed") == "Showing 1–50 of 64"
    assert count("province=31") == "Showing 1–4 of 4"
    assert count("province=32&regency=32.73") == "Showing 1–3 of 3"
    assert count("province=31&regency=32.73") == "Showing 1–4 of 4"  # not of that province
    assert count("to=2026-08-31") == "Showing 1–3 of 3"
    assert count("from=2026-07-31&to=2026-07-31") == "Showing 1–1 of 1"
    assert count("from=2026-11-15") == "Showing 1–6 of 6"
    bad = client.get("/cascade/activities?from=15-11-2026").get_data(as_text=True)
    assert "Give dates as YYYY-MM-DD" in bad and showing(bad) == "Showing 1–50 of 67"
    # the province's regencies are listed once a province is chosen (no JavaScript needed)
    html = client.get("/cascade/activities?province=32&status=unconfirmed").get_data(
        as_text=True)
    assert '<option value="32.76">' in html and '<option value="31.71">' not in html
    assert "page=2" in html and "status=unconfirmed" in html[html.index('rel="next"') - 200:]
    second = client.get("/cascade/activities?province=32&status=unconfirmed&page=2")
    assert showing(second.get_data(as_text=True)) == "Showing 51–60 of 60"


def test_a_facilitator_sees_only_their_own_and_no_facilitator_filter(client, world):
    bulk(world["ani"], 2)
    bulk(world["budi"], 3, village=JAKARTA)
    login(client, world["budi"])
    html = client.get(f"/cascade/activities?facilitator={world['ani'].id}").get_data(
        as_text=True)
    assert showing(html) == "Showing 1–3 of 3" and 'id="f-facilitator"' not in html
    data = client.get(f"/cascade/activities.csv?facilitator={world['ani'].id}").data
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == 1 + 3


def read_csv(client, query: str = "", language: str = "en") -> list[list[str]]:
    response = client.get("/cascade/activities.csv" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if language == "id" else ","))


def test_the_csv_holds_every_matching_row_with_names_and_codes(client, world):
    bulk(world["ani"], 70)
    record(world["ani"], village=BANDUNG, day=date(2026, 11, 25), women=4, men=3,
           topic="=HYPERLINK(\"http://x\")", library="Perpustakaan Sukarasa")
    login(client, world["trainer"])
    bandung = db.session.scalar(select(FieldActivity).where(FieldActivity.village_code == BANDUNG))
    assert client.post(f"/cascade/activities/{bandung.id}/confirm",
                       data=seen(bandung)).status_code == 302
    table = read_csv(client)
    head, body = table[0], table[1:]
    assert len(body) == 71  # every row, not one page
    assert head == ["Date", "Kind of activity", "Facilitator", "Province code", "Province",
                    "Regency or city code", "Regency or city", "District code",
                    "District (kecamatan)", "Village code", "Village or kelurahan", "Library",
                    "Women", "Men", "Topic", "Confirmed by", "Confirmed at"]
    newest = body[0]
    assert newest[:12] == ["2026-11-25", "Training (bimtek)", "Ani Fasilitator", "32",
                           "Jawa Barat", "32.73", "Kota Bandung", "32.73.01", "Sukasari",
                           "32.73.01.1001", "Sukarasa", "Perpustakaan Sukarasa"]
    assert newest[12:15] == ["4", "3", "'=HYPERLINK(\"http://x\")"]  # defused formula
    assert newest[15] == world["trainer"].full_name and newest[16].startswith("2026-11-26")
    assert body[1][15:] == ["", ""]  # not confirmed
    # the same filters as the list
    assert len(read_csv(client, "?province=32&regency=32.73")) == 1 + 1
    assert len(read_csv(client, "?status=unconfirmed&to=2026-11-10")) == 1 + 60
    # Indonesian: `;` between cells, Indonesian headers
    assert client.post("/language", data={"lang": "id", "next": "/"}).status_code == 302
    indonesian = read_csv(client, "?province=32&regency=32.73", language="id")
    assert indonesian[0][:3] == ["Tanggal", "Jenis kegiatan", "Fasilitator"]
    assert len(indonesian[1]) == 17 and indonesian[1][0] == "2026-11-25"


def test_access_to_the_csv_is_the_lists(client, world, make_user, participant):
    bulk(world["citra"], 2)
    other_trainer = make_user("trainer", full_name="Pelatih Lain")
    login(client, other_trainer)
    assert len(read_csv(client)) == 1  # the header only
    login(client, world["citra"])
    assert len(read_csv(client)) == 3
    login(client, participant)
    assert client.get("/cascade/activities.csv").status_code == 403


def test_queries_do_not_grow_with_activities(client, world, count_queries):
    bulk(world["ani"], 5)
    bulk(world["budi"], 5, village=JAKARTA)
    login(client, world["trainer"])
    with count_queries() as few:
        assert client.get("/cascade/activities").status_code == 200
    with count_queries() as few_csv:
        assert client.get("/cascade/activities.csv").status_code == 200
    bulk(world["ani"], 55, start=date(2026, 9, 1))
    bulk(world["budi"], 55, village=JAKARTA, start=date(2026, 9, 1))
    with count_queries() as many:
        html = client.get("/cascade/activities").get_data(as_text=True)
    assert showing(html) == "Showing 1–50 of 120"
    with count_queries() as many_csv:
        assert len(client.get("/cascade/activities.csv").data.splitlines()) == 121
    assert len(many) == len(few)
    assert len(many_csv) == len(few_csv)

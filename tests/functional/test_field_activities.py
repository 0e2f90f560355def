"""Field activities: a facilitator records them through the form (the village chosen list by
list without JavaScript), may change them for 7 days, then they are locked; a master trainer who
trained the facilitator (or an admin) confirms them; attachments are checked by content; the
tree counts them."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import select

from lms.audit import AuditEvent
from lms.cascade import queries
from lms.cascade import services as cascade_services
from lms.cascade.models import FieldActivity
from lms.errors_domain import ServiceError
from lms.extensions import db
from tests.helpers.cascade import (
    OTHER_VILLAGE,
    VILLAGE,
    course,
    record,
    seen,
    trained_facilitator,
)
from tests.helpers.pages import login
from tests.helpers.quizzes import PDF, PNG

FORM = {"kind": "mentoring", "activity_date": "2026-11-25", "province_code": "32",
        "regency_code": "32.76", "district_code": "32.76.01", "village_code": VILLAGE,
        "library_name": "Perpustakaan Kelurahan Depok", "women": "7", "men": "5",
        "topic": "Input data kegiatan ke SIM TPBIS"}


@pytest.fixture
def world(app, tmp_path, make_user, trainer_user):
    facilitator = make_user("facilitator", full_name="Fasda Depok")
    trained_facilitator(trainer_user, facilitator, course(tmp_path, "kursus-fasda"))
    return facilitator


def test_the_village_is_chosen_list_by_list_and_the_activity_recorded(client, world):
    login(client, world)
    page = client.post("/cascade/activities/new", data={"province_code": "32",
                                                       "load_regions": "1"})
    assert page.status_code == 200 and "Kota Depok" in page.get_data(as_text=True)
    page = client.post("/cascade/activities/new", data={
        "province_code": "32", "regency_code": "32.76", "district_code": "32.76.01",
        "load_regions": "1"})
    assert 'value="32.76.01.1006"' in page.get_data(as_text=True)
    response = client.post("/cascade/activities/new", data=FORM)
    assert response.status_code == 302
    activity = db.session.scalar(select(FieldActivity))
    assert (activity.village_code, activity.province_code, activity.regency_code) == (
        VILLAGE, "32", "32.76")
    assert (activity.women, activity.men, activity.kind) == (7, 5, "mentoring")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pancoran Mas" in detail and "Can be changed until" in detail
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "activity.recorded")) is not None


@pytest.mark.parametrize("change, field", [
    ({"activity_date": "2026-11-27"}, "future"),
    ({"women": "0", "men": "0"}, "at least 1"),
    ({"women": "-2"}, "0"),
    ({"village_code": "32.76.01.9999"}, "village"),
])
def test_wrong_values_are_refused(client, world, change, field):
    login(client, world)
    response = client.post("/cascade/activities/new", data={**FORM, **change})
    assert response.status_code == 422
    assert field in response.get_data(as_text=True)
    assert db.session.scalar(select(FieldActivity)) is None


def test_today_in_the_village_zone_is_allowed(world):
    assert record(world, day=date(2026, 11, 26)).id


def test_editable_for_seven_days_then_locked(client, world, clock):
    activity = record(world)
    login(client, world)
    response = client.post(f"/cascade/activities/{activity.id}/edit",
                           data={**FORM, "topic": "Topik baru"})
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.topic == "Topik baru"
    clock.advance(days=7, minutes=1)
    login(client, world)
    page = client.get(f"/cascade/activities/{activity.id}/edit").get_data(as_text=True)
    assert "locked" in page
    response = client.post(f"/cascade/activities/{activity.id}/edit",
                           data={**FORM, "topic": "Terlambat"})
    assert response.status_code == 422
    db.session.refresh(activity)
    assert activity.topic == "Topik baru"
    assert "Locked" in client.get(f"/cascade/activities/{activity.id}").get_data(as_text=True)


def test_a_master_trainer_of_the_facilitator_confirms(client, world, trainer_user, make_user,
                                                      admin_user):
    activity = record(world)
    stranger = make_user("trainer", full_name="Pelatih Lain")
    login(client, stranger)
    assert client.post(f"/cascade/activities/{activity.id}/confirm").status_code == 403
    login(client, world)
    assert client.post(f"/cascade/activities/{activity.id}/confirm").status_code == 403
    login(client, trainer_user)
    assert "Fasda Depok" in client.get("/cascade/activities?status=unconfirmed").get_data(
        as_text=True)
    assert client.post(f"/cascade/activities/{activity.id}/confirm",
                       data=seen(activity)).status_code == 302
    db.session.refresh(activity)
    assert activity.confirmed_by_id == trainer_user.id and activity.confirmed_at is not None
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "activity.confirmed")).actor_id == trainer_user.id
    # once confirmed it is locked for its facilitator too
    from lms.cascade import services
    with pytest.raises(ServiceError):
        services.update_activity(world, activity, services.ActivityInput(
            "training", date(2026, 11, 20), VILLAGE, "Perpus", 1, 1, "x"))
    second = record(world)
    login(client, admin_user)
    assert client.post(f"/cascade/activities/{second.id}/confirm",
                       data=seen(second)).status_code == 302


def test_attachments_are_checked_by_content(client, world):
    login(client, world)
    for name, data in (("foto.png", PNG), ("hadir.csv", b"nama;jenis\nSiti;P\n"),
                       ("laporan.pdf", PDF)):
        response = client.post("/cascade/activities/new", data={
            **FORM, "attachment": (BytesIO(data), name)}, content_type="multipart/form-data")
        assert response.status_code == 302, name
        download = client.get(response.headers["Location"] + "/attachment")
        assert download.status_code == 200 and download.data == data
        assert "attachment" in download.headers["Content-Disposition"]
    for name, data in (("foto.png", PDF), ("skrip.html", b"<script>x</script>"),
                       ("kosong.jpg", b"")):
        response = client.post("/cascade/activities/new", data={
            **FORM, "attachment": (BytesIO(data), name)}, content_type="multipart/form-data")
        assert response.status_code == 422, name
    assert db.session.query(FieldActivity).count() == 3


def test_other_people_cannot_see_an_activity(client, world, make_user, participant):
    activity = record(world, attachment=("foto.png", PNG))
    other = make_user("facilitator", full_name="Fasda Lain")
    for who in (other, participant):
        login(client, who)
        assert client.get(f"/cascade/activities/{activity.id}").status_code == 403
        assert client.get(f"/cascade/activities/{activity.id}/attachment").status_code == 403
    login(client, other)
    assert "Literasi digital" not in client.get("/cascade/activities").get_data(as_text=True)


def test_the_tree_counts_on_a_known_fixture(client, app, tmp_path, make_user, trainer_user,
                                            admin_user, count_queries, clock):
    fasda_course = course(tmp_path, "kursus-pohon")
    active = make_user("facilitator", full_name="Ani Aktif")
    idle = make_user("facilitator", full_name="Budi Diam")
    trained_facilitator(trainer_user, [active, idle], fasda_course)
    first = record(active, village=VILLAGE, women=3, men=2, day=date(2026, 11, 1))
    record(active, village=VILLAGE, women=4, men=0, day=date(2026, 11, 10))
    other = record(active, village=OTHER_VILLAGE, women=1, men=1, day=date(2026, 11, 20))
    record(idle, village=OTHER_VILLAGE, women=2, men=2, day=date(2026, 9, 1))  # 86 days ago
    # Villages reached count confirmed activities only (as the programme roll-up does).
    cascade_services.confirm_activity(trainer_user, first, seen(first)["seen"])
    unconfirmed = queries.tree(trainer_user, date(2026, 11, 26))[0]
    assert unconfirmed.figures.villages == 1
    cascade_services.confirm_activity(trainer_user, other, seen(other)["seen"])

    [node] = queries.tree(trainer_user, date(2026, 11, 26), expand=active.id)
    assert node.trainer.id == trainer_user.id
    assert (node.figures.activities, node.figures.women, node.figures.men,
            node.figures.villages) == (4, 10, 5, 2)
    ani, budi = node.facilitators
    assert (ani.user.id, ani.figures.activities, ani.figures.women, ani.figures.men,
            ani.figures.villages, ani.figures.last, ani.gap) == (
        active.id, 3, 8, 3, 2, date(2026, 11, 20), False)
    assert [(v.code, v.figures.activities) for v in ani.villages] == [
        (VILLAGE, 2), (OTHER_VILLAGE, 1)]
    assert (budi.figures.activities, budi.gap) == (1, True)
    assert budi.villages == []  # only the opened facilitator's villages are listed

    login(client, trainer_user)
    with count_queries() as few:
        page = client.get("/cascade/tree")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Gap: no activity in the last 60 days" in html and "Budi Diam" in html
    assert "Depok Jaya" not in html  # villages are listed once a facilitator is opened
    opened = client.get(f"/cascade/tree?facilitator={active.id}").get_data(as_text=True)
    assert "Depok Jaya" in opened and opened.count("cascade-village") == 2
    more = make_user("facilitator", full_name="Citra Baru")
    trained_facilitator(trainer_user, more, fasda_course, name="Angkatan 2")
    for day in range(1, 6):
        record(more, village=VILLAGE, day=date(2026, 11, day))
    with count_queries() as many:
        assert client.get("/cascade/tree").status_code == 200
    assert len(many) == len(few)

    other_trainer = make_user("trainer", full_name="Pelatih Lain")
    assert queries.tree(other_trainer, date(2026, 11, 26)) == []
    login(client, other_trainer)
    assert "Ani Aktif" not in client.get("/cascade/tree").get_data(as_text=True)
    login(client, active)
    assert client.get("/cascade/tree").status_code == 403
    admin_nodes = queries.tree(admin_user, date(2026, 11, 26))
    assert sum(n.figures.activities for n in admin_nodes) == 9


def test_a_new_facilitator_is_not_a_gap_until_60_days_pass_without_activity(
        app, tmp_path, make_user, trainer_user, admin_user, clock):
    """The gap counts from the day the person became a facilitator when they have recorded
    nothing yet (the issue: a *certified* facilitator with no activity in 60 days)."""
    from lms.auth import services as auth_services

    fasda_course = course(tmp_path, "kursus-celah")
    newcomer = make_user("participant", full_name="Dewi Baru")
    trained_facilitator(trainer_user, newcomer, fasda_course)
    clock.advance(days=100)  # an old account, made facilitator today
    auth_services.set_role(admin_user, newcomer, "facilitator")
    today = clock.value.date()
    [node] = queries.tree(trainer_user, today)
    assert node.facilitators[0].gap is False
    [node] = queries.tree(trainer_user, today.fromordinal(today.toordinal() + 61))
    assert node.facilitators[0].gap is True
def test_a_confirmation_never_approves_a_change_the_confirmer_did_not_see(
        client, world, trainer_user, clock):
    """The master trainer opens the activity; the facilitator then changes it (or only its
    file); the confirm button of the page opened before refuses, and the page reopened works."""
    activity = record(world)
    login(client, trainer_user)
    page = client.get(f"/cascade/activities/{activity.id}").get_data(as_text=True)
    opened = seen(activity)
    assert f'name="seen" type="hidden" value="{opened["seen"]}"' in page or (
        f'value="{opened["seen"]}"' in page and 'name="seen"' in page)
    clock.advance(minutes=5)
    login(client, world)
    assert client.post(f"/cascade/activities/{activity.id}/edit",
                       data={**FORM, "women": "70"}).status_code == 302
    login(client, trainer_user)
    refused = client.post(f"/cascade/activities/{activity.id}/confirm", data=opened,
                          follow_redirects=True).get_data(as_text=True)
    assert "The activity was changed after you opened it; check it again." in refused
    db.session.refresh(activity)
    assert activity.confirmed_at is None
    # without the mark at all: refused the same way
    assert client.post(f"/cascade/activities/{activity.id}/confirm").status_code == 302
    db.session.refresh(activity)
    assert activity.confirmed_at is None
    # a new file alone is a change too
    again = seen(activity)
    clock.advance(minutes=5)
    login(client, world)
    assert client.post(f"/cascade/activities/{activity.id}/edit", data={
        **FORM, "women": "70", "attachment": (BytesIO(PNG), "foto.png")},
        content_type="multipart/form-data").status_code == 302
    login(client, trainer_user)
    client.post(f"/cascade/activities/{activity.id}/confirm", data=again)
    db.session.refresh(activity)
    assert activity.confirmed_at is None
    # confirmed from the page as it is now
    assert "70" in client.get(f"/cascade/activities/{activity.id}").get_data(as_text=True)
    done = client.post(f"/cascade/activities/{activity.id}/confirm", data=seen(activity),
                       follow_redirects=True).get_data(as_text=True)
    assert "The activity has been confirmed." in done
    db.session.refresh(activity)
    assert activity.confirmed_by_id == trainer_user.id
    twice = client.post(f"/cascade/activities/{activity.id}/confirm", data=seen(activity),
                        follow_redirects=True).get_data(as_text=True)
    assert "already been confirmed" in twice


def test_without_javascript_the_next_list_keeps_every_typed_field(client, world):
    """Each "Show the next list" reload keeps what was typed; the file field appears only once
    the village is chosen (a browser cannot keep a chosen file across a reload)."""
    login(client, world)
    typed = {"kind": "mentoring", "activity_date": "2026-11-24",
             "library_name": "Perpustakaan Kelurahan Depok", "women": "7", "men": "5",
             "topic": "Input data kegiatan"}
    blank = client.get("/cascade/activities/new").get_data(as_text=True)
    assert 'id="attachment-later"' in blank and '<div class="js-only">' in blank
    data = {**typed, "province_code": "32", "load_regions": "1"}
    for level, code in (("regency_code", "32.76"), ("district_code", "32.76.01"),
                        ("village_code", VILLAGE)):
        html = client.post("/cascade/activities/new", data=data).get_data(as_text=True)
        assert 'value="Perpustakaan Kelurahan Depok"' in html
        assert 'value="Input data kegiatan"' in html and 'value="2026-11-24"' in html
        assert 'name="women" type="number" value="7"' in html or 'value="7"' in html
        assert '<option selected value="mentoring">' in html or (
            'value="mentoring" selected' in html)
        assert 'id="attachment-later"' in html  # no file field to lose yet
        assert f'value="{code}"' in html  # the next list is there
        data[level] = code
    html = client.post("/cascade/activities/new", data=data).get_data(as_text=True)
    assert 'id="attachment-later"' not in html and 'name="attachment"' in html
    assert 'value="Input data kegiatan"' in html
    del data["load_regions"]
    response = client.post("/cascade/activities/new", data={
        **data, "attachment": (BytesIO(PNG), "foto.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    activity = db.session.scalar(select(FieldActivity))
    assert (activity.village_code, activity.women, activity.topic, activity.kind) == (
        VILLAGE, 7, "Input data kegiatan", "mentoring")
    assert activity.attachment.filename == "foto.png"

"""Rendering of every built-in type: labels, fieldsets, escaping, names, disabled review."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from lms.quizzes.registry import default_registry

REG = default_registry()
XSS = "<script>alert(1)</script>"

SAMPLES = {
    "single_choice": {
        "type": "single_choice",
        "text": f"Pilih {XSS}",
        "options": [
            {"id": "a", "text": f"Opsi {XSS}", "correct": True},
            {"id": "b", "text": "Opsi B", "correct": False},
        ],
    },
    "multiple_choice": {
        "type": "multiple_choice",
        "text": f"Pilih {XSS}",
        "options": [
            {"id": "a", "text": f"Opsi {XSS}", "weight": 50},
            {"id": "b", "text": "Opsi B", "weight": 50},
            {"id": "c", "text": "Opsi C", "weight": -100},
        ],
    },
    "true_false": {"type": "true_false", "text": f"Benar {XSS}", "answer": True},
    "short_answer": {"type": "short_answer", "text": f"Isi {XSS}", "answers": [{"text": "x"}]},
    "numerical": {
        "type": "numerical",
        "text": f"Angka {XSS}",
        "answers": [{"value": 3.5, "tolerance": 0.1}],
    },
    "matching": {
        "type": "matching",
        "text": f"Pasangkan {XSS}",
        "pairs": [{"left": f"L {XSS}", "right": f"R {XSS}"}, {"left": "L2", "right": "R2"}],
        "distractors": ["R3"],
    },
    "ordering": {"type": "ordering", "text": f"Urutkan {XSS}", "items": [f"I {XSS}", "I2", "I3"]},
    "essay": {"type": "essay", "text": f"Tulis {XSS}", "max_words": 100},
    "description": {"type": "description", "text": f"Info {XSS}"},
}


class Collector(HTMLParser):
    """Collect form controls, labels, fieldsets and legends."""

    def __init__(self):
        super().__init__()
        self.controls = []
        self.labels = set()
        self.tags = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag in ("input", "select", "textarea"):
            self.controls.append((tag, a))
        if tag == "label" and "for" in a:
            self.labels.add(a["for"])


def parse(html):
    c = Collector()
    c.feed(str(html))
    return c


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_control_has_a_label_and_names_match_field_names(name):
    qtype = REG.get(name)
    q = SAMPLES[name]
    assert REG.validate_question(q) == []
    html = qtype.render(q, field="q-3", response=None, order=None, disabled=False, gettext=str)
    assert isinstance(html, Markup)
    c = parse(html)
    for tag, attrs in c.controls:
        assert attrs.get("id") in c.labels, (tag, attrs)
        assert "disabled" not in attrs
    names = {attrs["name"] for _, attrs in c.controls}
    assert names == set(qtype.field_names(q, "q-3"))
    if name in ("single_choice", "multiple_choice", "true_false", "matching", "ordering"):
        assert "fieldset" in c.tags and "legend" in c.tags


@pytest.mark.parametrize("name", list(SAMPLES))
def test_author_text_is_escaped(name):
    html = str(
        REG.get(name).render(
            SAMPLES[name], field="f", response=None, order=None, disabled=False, gettext=str
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert parse(html).scripts == 0


def test_text_html_is_trusted_markup():
    q = {**SAMPLES["true_false"], "text_html": "<p>Benar <em>ya</em>?</p>"}
    html = str(
        REG.get("true_false").render(
            q, field="f", response=None, order=None, disabled=False, gettext=str
        )
    )
    assert "<p>Benar <em>ya</em>?</p>" in html
    opt = {**SAMPLES["single_choice"]}
    opt["options"] = [{**opt["options"][0], "text_html": "<b>A</b>"}, opt["options"][1]]
    html = str(
        REG.get("single_choice").render(
            opt, field="f", response=None, order=None, disabled=False, gettext=str
        )
    )
    assert "<b>A</b>" in html


@pytest.mark.parametrize("name", [n for n in SAMPLES if n != "description"])
def test_disabled_review_with_response(name):
    qtype = REG.get(name)
    q = SAMPLES[name]
    response = qtype.correct_response(q) if qtype.auto_graded else "Jawaban saya"
    html = qtype.render(q, field="f", response=response, order=None, disabled=True, gettext=str)
    c = parse(html)
    assert c.controls
    assert all("disabled" in attrs for _, attrs in c.controls)
    text = str(html)
    assert "checked" in text or "selected" in text or 'value="' in text or "Jawaban saya" in text


def test_single_choice_order_and_checked():
    q = SAMPLES["single_choice"]
    html = str(
        REG.get("single_choice").render(
            q, field="f", response="b", order=["b", "a", "zzz"], disabled=False, gettext=str
        )
    )
    assert html.index('value="b"') < html.index('value="a"')
    c = parse(html)
    checked = [a["value"] for _, a in c.controls if "checked" in a]
    assert checked == ["b"]
    assert all(a["type"] == "radio" and a["name"] == "f" for _, a in c.controls)


def test_multiple_choice_checkboxes_share_the_name():
    q = SAMPLES["multiple_choice"]
    c = parse(
        REG.get("multiple_choice").render(
            q, field="f", response=["a", "c"], order=None, disabled=False, gettext=str
        )
    )
    assert {a["type"] for _, a in c.controls} == {"checkbox"}
    assert {a["name"] for _, a in c.controls} == {"f"}
    assert [a["value"] for _, a in c.controls if "checked" in a] == ["a", "c"]


def test_true_false_labels_use_gettext():
    tr = {"True": "Benar", "False": "Salah"}
    html = str(
        REG.get("true_false").render(
            SAMPLES["true_false"],
            field="f",
            response=False,
            order=None,
            disabled=False,
            gettext=lambda s: tr.get(s, s),
        )
    )
    assert ">Benar</label>" in html and ">Salah</label>" in html
    c = parse(html)
    assert [a["value"] for _, a in c.controls if "checked" in a] == ["false"]


def test_matching_selects_use_order_and_show_selection():
    q = SAMPLES["matching"]
    mt = REG.get("matching")
    html = str(
        mt.render(
            q, field="f", response={"1": "R3"}, order=["2", "0", "1"], disabled=False, gettext=str
        )
    )
    assert html.index('value="0:2"') < html.index('value="0:0"')
    assert '<option value="1:2" selected>' in html
    assert mt.normalise_response(q, ["0:2", "1:1"]) == {"0": "R3", "1": "R2"}


def test_ordering_positions_are_labelled_via_gettext():
    q = SAMPLES["ordering"]
    html = str(
        REG.get("ordering").render(
            q,
            field="f",
            response=[2, None, 0],
            order=["1", "2", "0"],
            disabled=False,
            gettext=lambda s: s.replace("Position", "Posisi"),
        )
    )
    assert "Posisi 1" in html and "Posisi 3" in html
    assert '<option value="0:2" selected>' in html
    assert '<option value="2:0" selected>' in html
    assert html.index('value="0:1"') < html.index('value="0:0"')


def test_text_inputs_keep_response_escaped():
    html = str(
        REG.get("short_answer").render(
            SAMPLES["short_answer"],
            field="f",
            response='"><b>x',
            order=None,
            disabled=False,
            gettext=str,
        )
    )
    assert 'value="&#34;&gt;&lt;b&gt;x"' in html
    html = str(
        REG.get("essay").render(
            SAMPLES["essay"],
            field="f",
            response="</textarea><b>",
            order=None,
            disabled=False,
            gettext=str,
        )
    )
    assert "&lt;/textarea&gt;&lt;b&gt;" in html
    assert "At most 100 words" in html
    html = str(
        REG.get("numerical").render(
            SAMPLES["numerical"], field="f", response=3.5, order=None, disabled=False, gettext=str
        )
    )
    assert 'value="3.5"' in html and 'inputmode="decimal"' in html


def test_field_is_escaped():
    html = str(
        REG.get("true_false").render(
            SAMPLES["true_false"],
            field='x"y',
            response=None,
            order=None,
            disabled=False,
            gettext=str,
        )
    )
    assert 'x"y' not in html

"""Rendering of every built-in type: labels, fieldsets, escaping, names, disabled review."""

from __future__ import annotations

import random
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
    """Collect form controls, labels, fieldsets, ids and select options."""

    def __init__(self):
        super().__init__()
        self.controls = []
        self.labels = set()
        self.tags = []
        self.scripts = 0
        self.fieldsets = []
        self.ids = {}
        self.options = {}  # select name -> option values, in display order
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids[a["id"]] = tag
        if tag == "script":
            self.scripts += 1
        if tag == "fieldset":
            self.fieldsets.append(a)
        if tag in ("input", "select", "textarea"):
            self.controls.append((tag, a))
        if tag == "select":
            self._select = a.get("name")
            self.options[self._select] = []
        if tag == "option" and self._select is not None:
            self.options[self._select].append(a.get("value", ""))
        if tag == "label" and "for" in a:
            self.labels.add(a["for"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


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
        assert "fieldset" in c.tags


FIELDSET_TYPES = ("single_choice", "multiple_choice", "true_false", "matching", "ordering")


@pytest.mark.parametrize("name", FIELDSET_TYPES)
def test_fieldset_is_named_by_the_question_text_not_a_legend(name):
    """Question text is Markdown HTML (paragraphs, tables, images): a <legend> may not hold it,
    so the fieldset points at the <div> that does."""
    q = {**SAMPLES[name], "text_html": "<p>Lihat tabel:</p><table><tr><td>1</td></tr></table>"}
    html = str(REG.get(name).render(q, field="q4", response=None, order=None, disabled=False,
                                    gettext=str))
    c = parse(html)
    assert "legend" not in c.tags
    assert len(c.fieldsets) == 1
    label_id = c.fieldsets[0].get("aria-labelledby")
    assert label_id == "q4-text"
    assert c.ids[label_id] == "div"
    assert '<div class="pq-text" id="q4-text"><p>Lihat tabel:</p><table>' in html


@pytest.mark.parametrize("name", list(SAMPLES))
def test_author_text_is_sanitised(name):
    # Author text is Markdown (it may hold HTML): a script is removed, never run nor shown raw.
    html = str(
        REG.get(name).render(
            SAMPLES[name], field="f", response=None, order=None, disabled=False, gettext=str
        )
    )
    assert "<script>" not in html
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


class Shown(HTMLParser):
    """What a page shows as answered, per field name, in the order a browser would send it:
    checked boxes and radios, filled text inputs, selected options, textarea text."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            kind = a.get("type", "text")
            if (kind in ("radio", "checkbox") and "checked" in a) or (
                    kind not in ("radio", "checkbox") and a.get("value")):
                self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select is not None and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._add(self._textarea, data)


def shown_response(qtype, q, html):
    """The response a learner's browser would send back from the rendered question."""
    shown = Shown()
    shown.feed(str(html))
    raw = [v for name in qtype.field_names(q, "f") for v in shown.values.get(name, [])]
    return qtype.normalise_response(q, raw)


@pytest.mark.parametrize("name", [n for n in SAMPLES if n != "description"])
def test_disabled_review_shows_the_learners_answer(name):
    """A review page shows the answer given, read-only: reading the answered controls back
    gives exactly the stored response (and an unanswered question shows nothing answered)."""
    qtype = REG.get(name)
    q = SAMPLES[name]
    response = qtype.correct_response(q) if qtype.auto_graded else "Jawaban saya"
    html = qtype.render(q, field="f", response=response, order=None, disabled=True, gettext=str)
    c = parse(html)
    assert c.controls
    assert all("disabled" in attrs for _, attrs in c.controls)
    assert shown_response(qtype, q, html) == response
    blank = qtype.render(q, field="f", response=None, order=None, disabled=True, gettext=str)
    assert shown_response(qtype, q, blank) is None


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
    assert html.index('value="0:R3"') < html.index('value="0:R &lt;script&gt;')
    assert '<option value="1:R3" selected>' in html
    assert mt.normalise_response(q, ["0:R3", "1:R2"]) == {"0": "R3", "1": "R2"}


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
    assert '<option value="0:I3" selected>' in html
    assert '<option value="2:I &lt;script&gt;alert(1)&lt;/script&gt;" selected>' in html
    assert html.index('value="0:I2"') < html.index('value="0:I &lt;script&gt;')


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


LEAK_SAMPLES = {
    "matching": {
        "type": "matching",
        "text": "Pasangkan.",
        "pairs": [
            {"left": "DDC", "right": "Melvil Dewey"},
            {"left": "UDC", "right": "Paul Otlet"},
            {"left": "Colon", "right": "Ranganathan"},
            {"left": "LCC", "right": "Herbert Putnam"},
        ],
        "distractors": ["Ptolemy"],
    },
    "ordering": {
        "type": "ordering",
        "text": "Urutkan.",
        "items": ["Seleksi", "Pengadaan", "Pengolahan", "Layanan", "Evaluasi"],
    },
}


def _shuffled_selects(name, seed):
    qtype = REG.get(name)
    q = LEAK_SAMPLES[name]
    order = list(qtype.shuffle_keys(q))
    random.Random(seed).shuffle(order)
    html = qtype.render(q, field="f", response=None, order=order, disabled=False, gettext=str)
    options = parse(html).options
    names = qtype.field_names(q, "f")
    assert list(options) == names
    return qtype, q, [[v for v in options[n] if v] for n in names]


@pytest.mark.parametrize("name", list(LEAK_SAMPLES))
def test_option_values_do_not_reveal_the_right_answer(name):
    """A value is "slot:text": the slot is public, the text is what the option shows. Nothing
    in the page source tells which option belongs in which slot."""
    for seed in range(10):
        qtype, q, selects = _shuffled_selects(name, seed)
        slots = len(selects)
        tails = []
        for k, values in enumerate(selects):
            assert all(v.startswith(f"{k}:") for v in values)
            tail = [v.split(":", 1)[1] for v in values]
            # Not the item's original index (its right position / partner) after the colon.
            assert not any(t.isdigit() for t in tail), values
            tails.append(tail)
        # Every select offers the same list, in the same (displayed) order.
        assert all(t == tails[0] for t in tails)
        # The attack the old values allowed: pick "k:k" in select k.
        naive = [f"{k}:{k}" for k in range(slots)]
        assert qtype.grade(q, qtype.normalise_response(q, naive)).fraction == 0.0


@pytest.mark.parametrize("name", list(LEAK_SAMPLES))
def test_the_diagonal_is_not_systematically_right(name):
    """Choosing the k-th displayed option in select k is only right by chance."""
    fractions = []
    for seed in range(20):
        qtype, q, selects = _shuffled_selects(name, seed)
        diagonal = [values[k] for k, values in enumerate(selects)]
        fractions.append(qtype.grade(q, qtype.normalise_response(q, diagonal)).fraction)
    assert min(fractions) < 1.0
    assert sum(fractions) / len(fractions) < 0.75


@pytest.mark.parametrize("name", list(LEAK_SAMPLES))
def test_the_right_values_round_trip_whatever_the_shuffle(name):
    for seed in range(10):
        qtype, q, selects = _shuffled_selects(name, seed)
        right = qtype.correct_response(q)
        values = [next(v for v in options if _is_right(qtype, q, right, v)) for options in selects]
        random.Random(seed).shuffle(values)  # the app collects them in any order
        assert qtype.grade(q, qtype.normalise_response(q, values)).fraction == 1.0


def _is_right(qtype, q, right, value):
    """Whether one option value puts the right answer into its slot."""
    slot = int(value.split(":", 1)[0])
    got = qtype.normalise_response(q, [value])
    if isinstance(got, list):
        return got[slot] == right[slot]
    return got[str(slot)] == right[str(slot)]

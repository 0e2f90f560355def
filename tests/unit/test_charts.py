"""Report charts: SVG a phone can show, with labels escaped and bars in proportion."""

import xml.etree.ElementTree as ET  # noqa: S405  (our own SVG, not untrusted input)

from lms.reports.charts import Bar, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_lengths_follow_the_values_and_labels_are_escaped():
    svg = bar_chart([Bar("Jawa <Barat>", 10), Bar("Bali", 5)], "Reach & more")
    root = ET.fromstring(  # noqa: S314
        svg)  # well-formed despite "<", ">" and "&" in the texts
    assert root.find(SVG + "title").text == "Reach & more"
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect")]
    assert widths[0] == 2 * widths[1] > 0
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Jawa <Barat>" in texts and "10" in texts and "5" in texts


def test_a_fixed_maximum_caps_the_bars_and_an_empty_chart_is_still_valid_svg():
    root = ET.fromstring(  # noqa: S314
        bar_chart([Bar("a", 50), Bar("b", 150)], "t", maximum=100, unit="%"))
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect")]
    assert widths[1] == 2 * widths[0]  # 150 drawn as 100
    assert "150%" in [t.text for t in root.iter(SVG + "text")]
    assert ET.fromstring(  # noqa: S314
        bar_chart([], "none")).find(SVG + "rect") is None


def test_line_chart_rises_with_the_values():
    root = ET.fromstring(  # noqa: S314
        line_chart([Bar("1 Nov", 0), Bar("8 Nov", 4), Bar("15 Nov", 8)], "t"))
    points = root.find(SVG + "polyline").get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] > ys[1] > ys[2]  # SVG y grows downwards
    assert [t.text for t in root.iter(SVG + "text")] == ["1 Nov", "15 Nov"]


def test_a_single_week_is_drawn_as_a_dot():
    root = ET.fromstring(line_chart([Bar("1 Nov", 3)], "t"))  # noqa: S314
    assert root.find(SVG + "circle") is not None
    assert ET.fromstring(line_chart([Bar("a", 1), Bar("b", 2)], "t")).find(  # noqa: S314
        SVG + "circle") is None

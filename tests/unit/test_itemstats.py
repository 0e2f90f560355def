"""Question statistics (lms.reports.itemstats) against figures computed by hand.

The fixture: five attempts (A-E) at three right/wrong questions worth 1 mark each.

    attempt   Q1 Q2 Q3   total   score
    A          1  0  1     2     66.67 %
    B          1  0  1     2     66.67 %
    C          1  0  0     1     33.33 %
    D          0  1  0     1     33.33 %
    E          0  0  0     0      0    %

Per item, x = the item's mark and y = the rest of the test (total - x); sums of squares and
products are divided by s - 1 = 4 (sample statistics, as Moodle does).

Q1: x = 1 1 1 0 0 (mean 3/5), y = 1 1 0 1 0 (mean 3/5)
    dx = .4 .4 .4 -.6 -.6      Σdx² = 3·.16 + 2·.36 = 1.2        var x = .3
    dy = .4 .4 -.6 .4 -.6      Σdy² = 1.2                         var y = .3
    Σdx·dy = .16 + .16 - .24 - .24 + .36 = .2                     cov   = .05
    sorted x = 0 0 1 1 1, sorted y = 0 0 1 1 1: Σ = 2·.36 + 3·.16 = 1.2,  cov_max = .3
    facility 60 %, SD = √.3 = 54.77 %, DI = 100·.05/√(.3·.3) = 16.67 %, DE = 100·.05/.3 = 16.67 %
Q2: x = 0 0 0 1 0 (mean 1/5), y = 2 2 1 0 0 (mean 1)
    dx = -.2 -.2 -.2 .8 -.2    Σdx² = 4·.04 + .64 = .8            var x = .2
    dy = 1 1 0 -1 -1           Σdy² = 4                           var y = 1
    Σdx·dy = -.2 - .2 + 0 - .8 + .2 = -1                          cov   = -.25
    sorted x = 0 0 0 0 1, sorted y = 0 0 1 2 2: Σ = .2 + .2 + 0 - .2 + .8·1 = 1, cov_max = .25
    facility 20 %, SD = √.2 = 44.72 %, DI = 100·-.25/√.2 = -55.90 %, DE = -100 %
Q3: x = 1 1 0 0 0 (mean 2/5), y = 1 1 1 1 0 (mean 4/5)
    dx = .6 .6 -.4 -.4 -.4     Σdx² = 1.2                         var x = .3
    dy = .2 .2 .2 .2 -.8       Σdy² = .8                          var y = .2
    Σdx·dy = .12 + .12 - .08 - .08 + .32 = .4                     cov   = .1
    sorted pairs give the same products (both orders agree):      cov_max = .1
    facility 40 %, SD = 54.77 %, DI = 100·.1/√(.3·.2) = 40.82 %, DE = 100 %

The test (scores in percent; marks 2 2 1 1 0, mean 1.2, deviations .8 .8 -.2 -.2 -1.2):
    mean 40 %, median 33.33 %, SD = √(Σd²/4) with Σd² (marks) = 2.8 -> √.7 = .83666 marks
    = 27.889 % of the 3 marks.
    m2 = 2.8/5 = .56, m3 = (.512·2 - .008·2 - 1.728)/5 = -.144, m4 = (.4096·2 + .0016·2 + 2.0736)/5 = 2.896/5 = .5792
    k2 = 5·.56/4 = .7, k3 = 25·-.144/(4·3) = -.3, skewness = -.3/.7^1.5 = -.51224
    k4 = 25·(6·.5792 - 3·4·.56²)/(4·3·2) = 25·-.288/24 = -.3, kurtosis = -.3/.49 = -.61224
    CIC = 100·3/2·(1 - (.3 + .2 + .3)/.7) = 150·(1 - 8/7) = -21.43 %
    (a negative alpha: Q2 works against the others). The error ratio is then
    100·√(1 + .2143) = 110.19 % and the standard error 110.19 % × 27.889 % = 30.73 %.
"""

from __future__ import annotations

import math

import pytest

from lms.reports import itemstats
from lms.reports.itemstats import AttemptData, ItemResult, analyse

ROWS = {"A": (1, 0, 1), "B": (1, 0, 1), "C": (1, 0, 0), "D": (0, 1, 0), "E": (0, 0, 0)}


def attempt(marks: dict[str, float], max_marks: dict[str, float] | None = None) -> AttemptData:
    max_marks = max_marks or {}
    items = {q: ItemResult(v / max_marks.get(q, 1), max_marks.get(q, 1)) for q, v in marks.items()}
    total = sum(marks.values())
    return AttemptData(100 * total / sum(max_marks.get(q, 1) for q in marks), items)


def fixture() -> list[AttemptData]:
    return [attempt(dict(zip(("q1", "q2", "q3"), row, strict=True))) for row in ROWS.values()]


def by_id(report):
    return {i.question_id: i for i in report.items}


def test_item_figures_match_the_hand_computation():
    items = by_id(analyse(fixture(), ["q1", "q2", "q3"]))
    q1, q2, q3 = items["q1"], items["q2"], items["q3"]
    assert [q1.attempts, q2.attempts, q3.attempts] == [5, 5, 5]
    assert (q1.facility, q2.facility, q3.facility) == pytest.approx((60, 20, 40))
    assert q1.sd == pytest.approx(100 * math.sqrt(0.3)) == pytest.approx(54.772, abs=1e-3)
    assert q2.sd == pytest.approx(100 * math.sqrt(0.2))
    assert q1.discrimination == pytest.approx(100 / 6)
    assert q1.efficiency == pytest.approx(100 / 6)
    assert q2.discrimination == pytest.approx(-25 / math.sqrt(0.2)) == pytest.approx(-55.902,
                                                                                     abs=1e-3)
    assert q2.efficiency == pytest.approx(-100)
    assert q3.discrimination == pytest.approx(10 / math.sqrt(0.06)) == pytest.approx(40.825,
                                                                                     abs=1e-3)
    assert q3.efficiency == pytest.approx(100)


def test_flags_follow_the_thresholds():
    items = by_id(analyse(fixture()))
    # Q1: discrimination 16.67 < 20 (weak), efficiency 16.67 >= 15 (not flagged).
    assert items["q1"].flags == (itemstats.WEAK,)
    # Q2: facility exactly 20 is not "too hard" (< 20); negative discrimination, efficiency -100.
    assert items["q2"].flags == (itemstats.NEGATIVE, itemstats.LOW_EFFICIENCY)
    assert items["q3"].flags == ()
    assert itemstats.flags_of(90, 50, 50) == (itemstats.TOO_EASY,)
    assert itemstats.flags_of(19.99, 50, 50) == (itemstats.TOO_HARD,)
    assert itemstats.flags_of(None, None, None) == ()


def test_test_figures_match_the_hand_computation():
    test = analyse(fixture()).test
    assert test.attempts == 5
    assert test.mean == pytest.approx(40)
    assert test.median == pytest.approx(100 / 3)
    assert test.sd == pytest.approx(100 * math.sqrt(0.7) / 3) == pytest.approx(27.889, abs=1e-3)
    assert test.skewness == pytest.approx(-0.3 / 0.7 ** 1.5) == pytest.approx(-0.51224, abs=1e-5)
    assert test.kurtosis == pytest.approx(-0.3 / 0.49) == pytest.approx(-0.61224, abs=1e-5)
    assert test.cic == pytest.approx(-150 / 7) == pytest.approx(-21.43, abs=1e-2)
    assert test.error_ratio == pytest.approx(100 * math.sqrt(1 + 1.5 / 7))
    assert test.standard_error == pytest.approx(test.error_ratio * test.sd / 100)
    assert test.same_questions


def test_marks_not_fractions_make_the_rest_of_the_test():
    """A question worth 2 marks: its fraction is half the mark, the rest of the test is counted
    in marks (Moodle's summarks - mark). Doubling every mark changes no figure."""
    doubled = [attempt({q: 2 * v for q, v in zip(("q1", "q2", "q3"), row, strict=True)},
                       {"q1": 2, "q2": 2, "q3": 2}) for row in ROWS.values()]
    plain, scaled = by_id(analyse(fixture())), by_id(analyse(doubled))
    for q in ("q1", "q2", "q3"):
        assert scaled[q].facility == pytest.approx(plain[q].facility)
        assert scaled[q].sd == pytest.approx(plain[q].sd)
        assert scaled[q].discrimination == pytest.approx(plain[q].discrimination)
        assert scaled[q].efficiency == pytest.approx(plain[q].efficiency)
    assert analyse(doubled).test.cic == pytest.approx(-150 / 7)


def test_zero_variance_gives_none_not_a_division_error():
    """Everyone right on q1: facility 100, SD 0, discrimination and efficiency undefined
    (var x = 0, and cov_max = 0); the other items still get their figures."""
    rows = [{"q1": 1, "q2": 1}, {"q1": 1, "q2": 0}, {"q1": 1, "q2": 1}]
    items = by_id(analyse([attempt(r) for r in rows]))
    assert items["q1"].facility == 100
    assert items["q1"].sd == 0
    assert items["q1"].discrimination is None and items["q1"].efficiency is None
    assert items["q1"].flags == (itemstats.TOO_EASY,)
    # q2's rest of the test (q1) is constant too: its discrimination is undefined as well.
    assert items["q2"].discrimination is None
    # Every attempt scoring the same: no skewness and no internal consistency.
    same = analyse([attempt({"q1": 1, "q2": 0}), attempt({"q1": 0, "q2": 1}),
                    attempt({"q1": 1, "q2": 0})]).test
    assert same.sd == 0 and same.skewness is None and same.cic is None


def test_fewer_than_two_attempts():
    one = analyse([attempt({"q1": 1, "q2": 0})])
    assert one.test.attempts == 1 and one.test.mean == 50 and one.test.sd is None
    assert by_id(one)["q1"].facility == 100
    assert by_id(one)["q1"].sd is None and by_id(one)["q1"].discrimination is None
    assert analyse([]).test.attempts == 0 and analyse([]).items == []


def test_random_draw_each_item_rests_on_the_attempts_that_saw_it():
    """Four attempts draw 2 of 3 questions:

        attempt  r1 r2 r3  total
        A         1  1  -    2
        B         0  -  1    1
        C         -  1  0    1
        D         1  -  0    1

    r1 (A, B, D): x = 1 0 1, y = 1 1 0; mean x 2/3, mean y 2/3; dx = 1/3 -2/3 1/3,
    dy = 1/3 1/3 -2/3; Σdx² = Σdy² = 2/3; Σdxdy = 1/9 - 2/9 - 2/9 = -1/3
    -> var x = var y = 1/3, cov = -1/6, DI = -50 %; sorted: x 0 1 1, y 0 1 1 -> cov_max 1/3,
    DE = -50 %; facility 66.67 %, n = 3.
    r2 (A, C): x = 1 1: zero variance -> facility 100 %, SD 0, DI and DE None; n = 2.
    r3 (B, C, D): x = 1 0 0, y = 0 1 1 -> DI = -100 %; facility 33.33 %; n = 3.
    The attempts drew different questions: no internal consistency."""
    data = [attempt({"r1": 1, "r2": 1}), attempt({"r1": 0, "r3": 1}),
            attempt({"r2": 1, "r3": 0}), attempt({"r1": 1, "r3": 0})]
    report = analyse(data, ["r1", "r2", "r3"])
    items = by_id(report)
    assert [i.question_id for i in report.items] == ["r1", "r2", "r3"]
    assert [items[q].attempts for q in ("r1", "r2", "r3")] == [3, 2, 3]
    assert items["r1"].facility == pytest.approx(200 / 3)
    assert items["r1"].discrimination == pytest.approx(-50)
    assert items["r1"].efficiency == pytest.approx(-50)
    assert items["r2"].facility == 100 and items["r2"].discrimination is None
    assert items["r3"].discrimination == pytest.approx(-100)
    assert report.test.same_questions is False and report.test.cic is None


def test_which_attempts_are_analysed():
    class A:
        def __init__(self, number, score, status="graded"):
            self.number, self.score, self.status = number, score, status

    attempts = [A(1, 40), A(2, 80), A(3, 80), A(4, 60), A(5, None, "submitted")]
    nums = lambda which, grading: [a.number for a in itemstats.analysed_attempts(  # noqa: E731
        attempts, which, grading)]
    assert nums("graded", "highest") == [2]  # the earliest of the best
    assert nums("graded", "first") == [1]
    assert nums("graded", "last") == [4]  # the last *graded* one
    assert nums("graded", "average") == [1, 2, 3, 4]
    assert nums("first", "highest") == [1]
    assert nums("all", "highest") == [1, 2, 3, 4]


def test_score_bands_and_random_guess():
    assert itemstats.score_bands([0, 9.99, 10, 55, 90, 99.9, 100]) == [2, 1, 0, 0, 0, 1, 0, 0,
                                                                       0, 3]
    assert itemstats.random_guess([1, 0, 0, 0]) == 25
    assert itemstats.random_guess([1, 0.5, -0.5]) == pytest.approx(50)  # penalties count as 0
    assert itemstats.random_guess([]) is None
    assert itemstats.median([3, 1, 2, 10]) == 2.5 and itemstats.median([]) is None

"""Learning from arrivals: robust per-branch corrections and a promise at the chosen quantile."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from recovery.learning import Correction, Journey, corrections_fit, week_band

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Rome"))


def journeys(branch_id, ratios, at=MONDAY_9):
    return [Journey(branch_id, at, timedelta(minutes=60), timedelta(minutes=60 * r)) for r in ratios]


def test_the_promise_is_the_chosen_quantile_and_an_outlier_does_not_move_the_median():
    ratios = [1.0 + i / 100 for i in range(30)] + [9.0]  # one breakdown on the road
    fitted = corrections_fit(journeys(1, ratios), quantile=0.8, min_sample=20)

    band = fitted.for_journey(branch_id=1, depart_at=MONDAY_9)
    expected, promised = band.apply(timedelta(minutes=60))
    assert band.scope == "band"
    assert 1.14 < band.expected_factor < 1.16
    assert expected < promised < timedelta(minutes=60 * 1.3)


def test_a_thin_band_uses_its_branch_and_an_unknown_branch_none():
    evening = MONDAY_9 + timedelta(hours=9)
    data = journeys(1, [1.2] * 15) + journeys(1, [1.4] * 10, at=evening)
    fitted = corrections_fit(data, quantile=0.8, min_sample=12)

    assert week_band(evening) != week_band(MONDAY_9)
    assert fitted.for_journey(branch_id=1, depart_at=MONDAY_9).scope == "band"
    assert fitted.for_journey(branch_id=1, depart_at=evening).scope == "branch"
    assert fitted.for_journey(branch_id=2, depart_at=MONDAY_9) == Correction()

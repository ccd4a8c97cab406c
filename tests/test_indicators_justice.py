"""Justice outcomes (v2): brought to justice, most serious violence, domestic rape,
outcomes 15 and 16 (precise rules 29, 30, 32, 33)."""

from __future__ import annotations

from indicator_data import figures, outcome, report

IDS = ["offences_brought_to_justice", "obtj_rate", "dv_most_serious_violence",
       "dv_most_serious_violence_per_1000", "most_serious_violence_obtj_rate",
       "domestic_rape_obtj_rate", "outcome_15_rate", "outcome_16_rate"]


def case(urn, report_id, result, *, dv=True, borough="North"):
    return {"cps_urn": urn, "report_id": report_id, "borough": borough, "dv_flagged": dv,
            "referred_date": "2007-05-01", "decision": "charge", "outcome": result}


def pop(borough, n, gender="F", band="18-29"):
    return {"borough": borough, "gender": gender, "age_band": band, "ethnic_appearance": "IC1",
            "population": n}


def data():
    reports = [
        report("R1", offence="abh"),
        report("R2", offence="gbh"),
        report("R3", offence="gbh_with_intent"),
        report("R4", offence="murder", borough="South"),
        report("R5", offence="rape"),
        report("R6", offence="rape"),
        report("R7", offence="common_assault"),
        report("R8", offence="rape", dv=False),                    # not DV-flagged
        report("R9", "2007-03-01", offence="abh"),                 # recorded before
        report("R10", classification="non_crime"),                 # not a crime
        report("R11", offence="attempted_murder"),
    ]
    outcomes = [
        outcome("R1", 3, "2007-07-01"),                  # adult caution: brought to justice
        outcome("R2", 1, "2007-07-01"),                  # a charge alone is not
        outcome("R3", 1, "2007-07-01"),
        outcome("R5", 16, "2007-08-01"),
        outcome("R6", 4, "2007-08-01"), outcome("R6", 15, "2007-09-01"),  # TIC, then 15
        outcome("R8", 3, "2007-07-01"),
        outcome("R9", 3, "2007-07-01"),
        outcome("R11", 2, "2009-01-01"),                 # any date, as at the extract
    ]
    cases = [
        case("K2", "R2", "convicted"),
        case("K3", "R3", "acquitted"),
        # Convicted: counts through report_id whatever its own flag and borough.
        case("K4", "R4", "convicted", dv=False, borough="North"),
        case("K7", None, "convicted"),                    # no report: counts for nothing
    ]
    population = [pop("North", 3000), pop("South", 1000, "M", "30-39")]
    return {"reports": reports, "outcomes": outcomes, "cps_cases": cases,
            "population": population}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    # Crimes: R1-R7, R11. Brought to justice: R1 (caution), R2 and R4 (convicted at the
    # CPS), R6 (TIC), R11 (youth caution of 2009).
    assert f["offences_brought_to_justice"] == {"value": 5}
    assert f["obtj_rate"] == {"value": 5 / 8, "numerator": 5, "denominator": 8}
    assert f["dv_most_serious_violence"] == {"value": 4}          # R2, R3, R4, R11
    assert f["dv_most_serious_violence_per_1000"] == {
        "value": 1.0, "numerator": 4, "denominator": 4000}
    assert f["most_serious_violence_obtj_rate"] == {
        "value": 0.75, "numerator": 3, "denominator": 4}
    assert f["domestic_rape_obtj_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    # With an outcome: R1, R2, R3, R5, R6, R11; latest 15: R6; latest 16: R5.
    assert f["outcome_15_rate"] == {"value": 1 / 6, "numerator": 1, "denominator": 6}
    assert f["outcome_16_rate"] == {"value": 1 / 6, "numerator": 1, "denominator": 6}


def test_a_borough(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, borough="South", **data())
    assert f["offences_brought_to_justice"] == {"value": 1}       # R4, through K4 (North)
    assert f["dv_most_serious_violence_per_1000"] == {
        "value": 1.0, "numerator": 1, "denominator": 1000}
    assert f["outcome_15_rate"] == {"value": None, "numerator": 0, "denominator": 0}


def test_unavailable_names_the_first_missing_table(tmp_path, engine):
    d = data()
    f = figures(tmp_path, engine, IDS, reports=d["reports"])
    assert f["obtj_rate"] == {"value": None, "unavailable": "outcomes not loaded"}
    assert f["dv_most_serious_violence"] == {"value": 4}
    assert f["dv_most_serious_violence_per_1000"] == {
        "value": None, "unavailable": "population not loaded"}
    f = figures(tmp_path / "2", engine, IDS, reports=d["reports"], outcomes=d["outcomes"])
    assert f["offences_brought_to_justice"] == {
        "value": None, "unavailable": "cps_cases not loaded"}
    assert f["outcome_16_rate"]["value"] == 1 / 6

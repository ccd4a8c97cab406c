"""Issue 14 (items 1, 2, 11, 13, 14, 15): probes run as an attacker against a dashboard
served by uvicorn on the loopback, over warehouses built with the project's helpers.

- the differencing attack on the partner's figures (every period a partner can ask for,
  every borough pair, force minus boroughs, adjacent years) recovers nothing;
- an unknown scope is a 404 for a protected audience, never an unprotected result;
- a missing optional table is said, not a 500;
- oversized ids are 404, and every error response carries the security headers;
- any borough name opens and downloads;
- uncached computations are capped per user.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

import differencing
from dvpi.stats.disclosure import DEFAULT_THRESHOLD
from dvpi.web.app import create_app
from indicator_data import outcome, rel, report, suspect, victim, write_dataset
from live_server import serving

PASSWORD = "a long enough password"
BOROUGHS = ("North", "South", "East/West", 'Say "hi"', "Riverside")
GHOST = "Ghost"  # only in cad_calls and cps_cases
YEARS = ("2006-07", "2007-08")
OFFENCES = ("common_assault", "abh", "gbh", "harassment", "threats_to_kill", "criminal_damage")
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                    "Referrer-Policy", "Cache-Control")


# --- data ---------------------------------------------------------------------------------


def _tables(seed: int = 14, per_year: int = 40) -> dict[str, list[dict]]:
    """Five boroughs over two financial years, sized so that many cells are 1-4."""
    rng = random.Random(seed)
    reports, people, rels, outcomes, cad, cps = [], [], [], [], [], []
    n = 0
    for year in (2006, 2007):
        first = dt.date(year, 4, 1)
        for b_index, borough in enumerate(BOROUGHS):
            for _ in range(per_year // (1 + b_index % 3)):
                n += 1
                rid = f"R{n:05d}"
                day = first + dt.timedelta(days=rng.randrange(365))
                crime = rng.random() < 0.7
                reports.append(report(
                    rid, str(day), borough=borough,
                    classification="crime" if crime else "non_crime",
                    offence=rng.choice(OFFENCES) if crime else None,
                    dv=rng.random() < 0.9))
                v, s = f"V{n}", f"S{n}"
                people.append(victim(v, rid, gender=rng.choice("MFU"),
                                     ethnic=rng.choice(("IC1", "IC2", "IC3", "IC4")),
                                     age=rng.randrange(16, 80),
                                     nominal=f"N{rng.randrange(n + 1)}"))
                arrested = rng.random() < 0.5
                people.append(suspect(s, rid, gender=rng.choice("MF"),
                                      ethnic=rng.choice(("IC1", "IC3")),
                                      age=rng.randrange(18, 70),
                                      arrest=str(day) if arrested else None))
                rels.append(rel(rid, v, s, rng.choice(("spouse", "partner", "ex_partner",
                                                       "parent", "sibling"))))
                if crime and rng.random() < 0.5:
                    outcomes.append(outcome(rid, rng.choice((1, 1, 2, 3, 8, 14, 15)),
                                            str(day + dt.timedelta(days=rng.randrange(30))), s))
                if rng.random() < 0.3:
                    cad.append({"call_id": f"C{n}", "borough": borough,
                                "received_at": f"{day}T10:00:00", "dv_related": True,
                                "report_id": rid})
                if crime and rng.random() < 0.2:
                    cps.append({"cps_urn": f"K{n}", "report_id": rid, "borough": borough,
                                "dv_flagged": True, "referred_date": str(day),
                                "decision": "charge", "prosecution_date": str(day),
                                "outcome": "convicted"})
    for i in range(3):  # a borough the reports never name
        cad.append({"call_id": f"G{i}", "borough": GHOST,
                    "received_at": f"2007-0{5 + i}-01T10:00:00", "dv_related": True})
    for i in range(2):
        cps.append({"cps_urn": f"GK{i}", "borough": GHOST, "dv_flagged": True,
                    "referred_date": f"2007-0{5 + i}-01", "decision": "charge",
                    "prosecution_date": f"2007-0{6 + i}-01", "outcome": "convicted"})
    return {"reports": reports, "people": people, "relationships": rels,
            "outcomes": outcomes, "cad_calls": cad, "cps_cases": cps}


def _load(folder: Path, tables: dict[str, list[dict]]) -> Path:
    from dvpi.ingest import load_dataset

    data = write_dataset(folder / "data", **tables)
    path = folder / "w.duckdb"
    load_dataset(data, path)
    return path


# --- a served dashboard -----------------------------------------------------------------------


class Served:
    """A dashboard on loopback (``live_server.serving``) with clients for its users."""

    def __init__(self, app):
        self.app = app
        self.dash = app.state.dashboard
        self._serving = serving(app)
        self.base = ""

    def __enter__(self) -> Served:
        self.base = self._serving.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._serving.__exit__(*exc)

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.dash.users.issue_token(user)}"
        return httpx.Client(base_url=self.base, headers=headers, timeout=120,
                            follow_redirects=False)

    def browser(self, user: str) -> httpx.Client:
        from web_fakes import login

        client = httpx.Client(base_url=self.base, timeout=120, follow_redirects=False)
        assert login(client, user, PASSWORD).status_code == 303
        return client


def _users(app) -> None:
    users = app.state.dashboard.users
    users.add("analyst", PASSWORD, "force_analyst")
    users.add("partner", PASSWORD, "partner")
    users.add("bu", PASSWORD, "borough_user", "East/West")
    users.add("bq", PASSWORD, "borough_user", 'Say "hi"')


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("security-disclosure")
    app = create_app(_load(folder, _tables()), state_path=folder / "state.sqlite",
                     secure_cookies=False)
    _users(app)
    with Served(app) as live:
        yield live


# --- 1. the differencing attack ---------------------------------------------------------------


def _small(v) -> bool:
    return v is not None and 0 < v < DEFAULT_THRESHOLD


def _cells(result: dict) -> dict[tuple[str, str], float | None]:
    """Every published figure of one result, with None for a suppressed one."""
    out = {}
    for ind_id, entry in result["indicators"].items():
        if entry.get("unavailable"):
            continue
        for fld in ("value", "numerator", "denominator", "total"):
            if fld in entry:
                out[(ind_id, fld)] = entry[fld]
        for key, v in (entry.get("values") or {}).items():
            out[(ind_id, f"values.{key}")] = v
    return out


def _primary_only(result: dict) -> dict:
    """``result`` with only its counts of 1-4 hidden (no secondary suppression)."""
    import copy

    out = copy.deepcopy(result)
    for entry in out["indicators"].values():
        if "values" in entry:
            entry["values"] = {k: None if _small(v) else v for k, v in entry["values"].items()}
        elif "numerator" in entry:
            if _small(entry["numerator"]) or _small(entry["denominator"]):
                entry.update(value=None, numerator=None, denominator=None)
        elif _small(entry.get("value")):
            entry["value"] = None
    return out


def _grid_urls() -> list[tuple[str, str]]:
    return [(f"year={y}", y) for y in YEARS]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _period_of(results: list[dict]) -> tuple[dt.date, dt.date]:
    return _day(results[0]["period"]["start"]), _day(results[0]["period"]["end"])


class Obtained:
    """Every output a public or partner user can obtain, and the true figures behind it."""

    def __init__(self) -> None:
        # (what, as published, the same unprotected, read options)
        self.outputs: list[tuple[str, list[dict], list[dict], dict]] = []
        self.truth: dict = {}
        self.periods: set[tuple[dt.date, dt.date]] = set()

    def add(self, what: str, published: list[dict], true: list[dict], **options) -> None:
        """``true``: the same figures unprotected, in the same order (more may follow)."""
        self.outputs.append((what, published, true[:len(published)], options))
        self.truth |= differencing.truth_of(true)
        self.periods |= {_period_of([r]) for r in published}

    def reader(self, truth=None) -> differencing.Reader:
        """A reader of every output; ``truth``: read each output's true figures through
        it instead (another protection of the same outputs)."""
        reader = differencing.Reader()
        for _, published, true, options in self.outputs:
            shown = published
            if truth is not None:  # the same figures as published, another protection
                shown = []
                for p, t in zip(published, true, strict=True):
                    other = truth(t)
                    shown.append({**other, "indicators": {
                        k: other["indicators"][k] for k in p["indicators"]}})
            reader.read(shown, **options)
        return reader

    def identities(self) -> list:
        from dvpi.publish.report import ARRESTS_PREFIX

        truth = self.truth
        found = (differencing.scope_identities(truth) + differencing.force_identities(truth)
                 + differencing.time_identities(truth, self.periods)
                 + differencing.previous_links(truth))
        for key in list(truth):  # the report's arrest stage adds up to an engine numerator
            s, e, scope, ind_id, fld = key
            if ind_id.startswith(ARRESTS_PREFIX) and fld == "total":
                numerator = (s, e, scope, "dv_crime_arrests_per_100", "numerator")
                if truth.get(numerator) == truth[key]:
                    found.append((key, (numerator,)))
        return found


def _week_endings(year: str) -> list[dt.date]:
    """Every week ending (a Sunday, as the packs' weeks run) in the financial year."""
    from dvpi.indicators import financial_year

    start, end = financial_year(year)
    first = start + dt.timedelta(days=(6 - start.weekday()) % 7)
    return [first + dt.timedelta(days=7 * i) for i in range((end - first).days // 7 + 1)]


def _packs_shown(backend, method: str, year: str, out: Path) -> tuple[list, list[dict]]:
    """Ask for the public weekly pack of every week of ``year``; return what the
    workbooks would show (spied on at ``write_workbook``: layout-independent), and the
    same figures unprotected. The engine is asked once for every pack's periods (once
    the first pack is not refused: a refusal does not depend on the figures)."""
    from dvpi.indicators import compute_series
    from dvpi.publish import pack

    def figures(spans: list) -> dict:
        rows = compute_series(backend, spans, by_borough=True, people=method,
                              ids=list(pack.PACK_INDICATORS))
        per = len(rows) // len(spans)
        return {span: rows[i * per:(i + 1) * per] for i, span in enumerate(spans)}

    weeks = _week_endings(year)
    first = pack.pack_periods(weeks[0])
    by_span = figures([*first.weeks, first.year_to_date])
    shown: list[dict] = []
    true: list[dict] = []
    this_pack: list[dict] = []  # the unprotected figures of the pack being written

    def spy(inputs, scope, path, *args, **kwargs):
        if this_pack:  # every workbook of a pack shows parts of the same figures
            shown.extend(r for block in (*inputs.weekly, inputs.year_to_date) for r in block)
            true.extend(this_pack)
            this_pack.clear()
        return path

    real_write = pack.write_workbook
    pack.write_workbook = spy
    try:
        for w in weeks:
            p = pack.pack_periods(w)
            if shown and p.year_to_date not in by_span:  # published: the year's figures
                by_span = figures(list(dict.fromkeys(
                    span for w2 in weeks for q in [pack.pack_periods(w2)]
                    for span in (*q.weeks, q.year_to_date))))
            blocks = [by_span.get(s, by_span[first.weeks[0]]) for s in (*p.weeks,
                                                                         p.year_to_date)]
            inputs = pack.PackInputs(p, blocks[:-1], blocks[-1])
            this_pack[:] = [r for block in blocks for r in block]
            try:
                pack.write_packs(inputs, out / str(w), audience="public")
            except ValueError as refused:  # publish.audience.AudienceError
                assert "not published to the public" in str(refused)
                assert not shown, "a pack refused after others were written"
    finally:
        pack.write_workbook = real_write
    return shown, true


def _obtain(served: Served, tmp_path: Path) -> Obtained:
    """Everything a partner or the public can get for the two years of the data set."""
    from dvpi.publish import report

    got = Obtained()
    partner, analyst = served.client("partner"), served.client("analyst")
    # The dashboard API, for every period a partner might ask for: years, quarters,
    # months and weeks (whatever is answered is read; off the grid is 400).
    from dvpi.indicators.periods import add_months

    candidates = []
    for year in YEARS:
        first = dt.date(int(year[:4]), 4, 1)
        for months in (12, 3, 1):  # the year, its quarters, its months
            candidates += [(add_months(first, m), add_months(first, m + months)
                            - dt.timedelta(days=1)) for m in range(0, 12, months)]
        candidates += [(w - dt.timedelta(days=6), w) for w in _week_endings(year)]
    for start, end in candidates:
        query = f"start={start}&end={end}"
        answer = partner.get(f"/api/indicators/boroughs?{query}")
        if answer.status_code == 200:
            truth = analyst.get(f"/api/indicators/boroughs?{query}").json()
            got.add(f"api {start}..{end}", answer.json(), truth)
        else:
            assert answer.status_code == 400, (query, answer.status_code)
    snap = served.dash.snapshot()
    method = snap.people_method
    with snap.backend() as backend:
        # The public board report of each year (both years shown in each).
        for year in YEARS:
            inputs = report.gather(backend, year, people=method)
            current, previous, _ = report.protect_inputs(inputs, "public", DEFAULT_THRESHOLD)
            before = getattr(inputs, "previous_arrests", {})  # the arrest stage's year before
            got.add(f"report {year}", [*current, *previous],
                    [report._with_arrests(inputs.current[0], inputs.arrests),
                     *inputs.current[1:],
                     report._with_arrests(inputs.previous[0], before), *inputs.previous[1:]])
        # The public weekly packs of every week of the later year.
        shown, true = _packs_shown(backend, method, YEARS[1], tmp_path)
        if shown:
            from dvpi.publish import pack

            got.add("weekly packs", shown, true, headline_only=pack.PACK_INDICATORS)
        # The calendar's pieces that no output published, for the time identities.
        pieces = [p for p in differencing.elementary_periods(got.periods)
                  if p not in got.periods]
        if pieces:
            from dvpi.indicators import compute_series
            from dvpi.publish import pack

            got.truth |= differencing.truth_of(compute_series(
                backend, pieces, by_borough=True, people=method,
                ids=list(pack.PACK_INDICATORS)))
    return got


def test_partner_cannot_ask_for_periods_off_the_grid(served):
    """The original attack: end=D and end=D-1, subtracted. Every period that is not a
    financial year is refused to a partner, with the periods that are allowed."""
    partner = served.client("partner")
    analyst = served.client("analyst")
    refused = [
        "start=2007-04-01&end=2007-05-05", "start=2007-04-01&end=2007-05-04",
        "start=2007-04-01&end=2007-06-30",   # a quarter
        "start=2008-03-25&end=2008-03-31",   # a week of the trend
        "start=2007-04-02&end=2008-03-31",   # a year less a day
    ]
    for query in refused:
        for url in (f"/api/indicators?{query}", f"/api/indicators?{query}&borough=North",
                    f"/api/indicators/boroughs?{query}"):
            got = partner.get(url)
            assert got.status_code == 400, (url, got.status_code, got.text[:200])
            assert "financial year" in got.json()["detail"], got.text
        page = served.browser("partner").get(f"/overview?{query}")
        assert page.status_code == 400 and "financial year" in page.text
        # The restricted audiences keep any period.
        assert analyst.get(f"/api/indicators?{query}").status_code == 200
    # A financial year given as dates is the same published figure as year=.
    as_dates = partner.get("/api/indicators?start=2007-04-01&end=2008-03-31").json()
    assert as_dates == partner.get("/api/indicators?year=2007-08").json()


def test_partner_gets_one_definition_only(served):
    """da2021 contains every acpo2004 pair (more relationships, 16 and over): the
    difference of the two would be a count nobody protected. A partner gets the default
    definition only; the restricted audiences keep both."""
    partner = served.client("partner")
    analyst = served.client("analyst")
    for url in ("/api/indicators?year=2007-08&definition=da2021",
                "/api/indicators?year=2007-08&definition=da2021&borough=North",
                "/api/indicators/boroughs?year=2007-08&definition=da2021"):
        got = partner.get(url)
        assert got.status_code == 400, (url, got.status_code, got.text[:200])
        assert "definition" in got.json()["detail"]
        assert analyst.get(url).status_code == 200
    page = served.browser("partner").get("/overview?year=2007-08&definition=da2021")
    assert page.status_code == 400
    assert partner.get("/api/indicators?year=2007-08&definition=acpo2004").status_code == 200


def test_partner_figures_are_one_protected_set_per_year(served):
    """Each year a partner is given is one protected set, force and every borough: one
    borough at a time is the same figure as in the batch (no second protection to play
    against the first), no published count is 1-4, and the weekly trend (nested in the
    year) is not published to partners."""
    partner = served.client("partner")
    for query, label in _grid_urls():
        got = partner.get(f"/api/indicators/boroughs?{query}")
        assert got.status_code == 200, got.text
        for result in got.json()[1:]:
            one = partner.get(f"/api/indicators?{query}&borough={quote(result['scope'])}")
            assert one.json() == result
        for result in got.json():
            for (ind_id, fld), v in _cells(result).items():
                if "numerator" in result["indicators"][ind_id]:
                    continue  # a rate: its numerator and denominator are checked as counts
                if fld in ("value", "total") or fld.startswith("values."):
                    assert not _small(v), (label, result["scope"], ind_id, fld, v)
            for ind_id, target in result["targets"].items():
                if target.get("suppressed"):  # met would bound the hidden actual
                    assert target["met"] is None, (ind_id, target)
    dash = served.dash
    snap = dash.snapshot()
    from dvpi.web.params import choose
    from dvpi.web.users import User

    choice = choose(snap, YEARS[1], None, None, None)
    with pytest.raises(Exception) as refused:
        dash.series(User("partner", "partner"), snap, choice.weeks(), None,
                    choice.definition)
    assert getattr(refused.value, "status_code", None) == 400
    page = served.browser("partner").get(f"/overview?year={YEARS[1]}").text
    assert "not published" in page and 'class="spark"' not in page


def test_no_combination_of_outputs_can_be_differenced(served, tmp_path):
    """The differencing attack over every output a public or partner user can obtain,
    all at once: the partners' API for every period they ask for (years, quarters,
    months, weeks: whatever is answered), the public board report of each year (which
    shows the year before too), and the public weekly pack of every week of a year.

    The reader (``differencing``) sets every figure against every other: force minus
    boroughs, borough against borough, totals minus cells, the registry's identities, a
    published rate times its denominator, the same figure in two outputs, nested and
    adjacent periods (a year and its weeks, consecutive years to date), a year's
    "previous" figure against the year before. Two linear programs per suppressed figure
    give the narrowest interval the reader can put on it: none may be narrower than the
    threshold (a count of 1-4 cannot be told from 0 or 5; nothing comes back exactly).
    """
    got = _obtain(served, tmp_path)
    identities = got.identities()
    exposures = differencing.attack(got.reader(), got.truth, identities)
    small = [x for x in exposures if _small(x.true)]
    print(f"\noutputs: {', '.join(w for w, *_ in got.outputs)}")
    print(f"all suppressed: {differencing.summary(exposures, DEFAULT_THRESHOLD)}")
    print(f"counts of 1-4: {differencing.summary(small, DEFAULT_THRESHOLD)}")
    assert len(small) > 20, "the data must give the attack something to attack"
    narrow = differencing.narrow(exposures, DEFAULT_THRESHOLD)
    assert narrow == [], [f"{x.key}: {x.true} in [{x.low:g}, {x.high:g}]" for x in narrow[:10]]
    # The attack has teeth: the same outputs with only their counts of 1-4 hidden (no
    # secondary suppression) give many back exactly.
    naive = differencing.attack(got.reader(truth=_primary_only), got.truth, identities)
    print(f"primary suppression alone: {differencing.summary(naive, DEFAULT_THRESHOLD)}")
    assert differencing.narrow([x for x in naive if _small(x.true)], 0.5)


def test_weekly_packs_are_refused_to_the_public_from_the_command_line(served, tmp_path):
    from typer.testing import CliRunner

    from dvpi.cli import app as cli

    result = CliRunner().invoke(cli, ["pack", str(served.dash.warehouse.path), "--week-ending",
                                      "2008-03-30", "--out", str(tmp_path / "out"),
                                      "--audience", "public"])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert "not published to the public or to partners" in " ".join(result.output.split())


# --- 2. unknown scopes ----------------------------------------------------------------------


def test_an_unknown_scope_is_404_for_a_partner(served):
    partner = served.client("partner")
    for name in (GHOST, "Atlantis"):
        got = partner.get(f"/api/indicators?year=2007-08&borough={quote(name)}")
        assert got.status_code == 404, (name, got.status_code, got.text[:300])
        assert "indicators" not in got.text


# --- 13. errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "analyst"])
def test_oversized_ids_are_404_with_headers(served, who):
    client = served.browser(who) if who else served.client()
    for path in ("/dip-samples/99999999999999999999999",
                 "/dip-samples/99999999999999999999999/results",
                 "/dip-samples/-1", "/dip-samples/1e3"):
        got = client.get(path) if not path.endswith("results") else client.post(path)
        assert got.status_code in ((404, 400, 405) if who else (303, 400, 404, 405)), (
            path, got.status_code)
        assert got.status_code != 500
        for name in SECURITY_HEADERS:
            assert name in got.headers, (path, name)


def test_every_error_response_carries_the_security_headers(tmp_path):
    from web_fakes import fake_engine

    def boom(*_a, **_k):
        raise RuntimeError("engine failure")

    engine = fake_engine({"indicators": {}, "targets": {}})
    engine.compute = boom
    folder = tmp_path / "w"
    folder.mkdir()
    app = create_app(_load(folder, _tables(per_year=4)), state_path=tmp_path / "s.sqlite",
                     secure_cookies=False, engine=engine)
    _users(app)
    with Served(app) as live:
        for url, status in (("/api/indicators?year=2007-08", 500),
                            ("/api/indicators?year=nope", 422),
                            ("/api/nothing-here", 404),
                            ("/api/indicators?year=2007-08", 500)):
            with live.client("analyst") as api:  # a server error closes the connection
                got = api.get(url)
            assert got.status_code == status, (url, got.status_code)
            for name in SECURITY_HEADERS:
                assert name in got.headers, (url, name)
            assert "engine failure" not in got.text
        page = live.browser("analyst").get("/overview")
        assert page.status_code == 500
        for name in SECURITY_HEADERS:
            assert name in page.headers, name


# --- 14. borough names -------------------------------------------------------------------------


def test_any_borough_name_opens(served):
    analyst = served.browser("analyst")
    for name in BOROUGHS:
        for suffix in ("", "/equality", "/worklists", "/dip-samples"):
            url = f"/boroughs/{quote(name, safe='')}{suffix}?year=2007-08"
            got = analyst.get(url)
            assert got.status_code == 200, (url, got.status_code)
            assert "No borough called" not in got.text
    # The links a page gives open too: the league table links every borough.
    html = analyst.get("/boroughs?year=2007-08").text
    assert f'href="/boroughs/{quote("East/West", safe="")}?' in html
    # A borough user whose borough has a slash lands on their page and is let in.
    bu = served.browser("bu")
    home = bu.get("/")
    assert home.status_code == 303
    assert bu.get(home.headers["location"]).status_code == 200
    assert bu.get(f"/boroughs/{quote('East/West', safe='')}/worklists").status_code == 200
    assert bu.get("/boroughs/North/worklists").status_code == 403


def test_csv_filename_is_safe_for_any_borough(served):
    bq = served.browser("bq")
    url = f"/boroughs/{quote(BOROUGHS[3], safe='')}/worklists/flag_audit.csv?year=2007-08"
    got = bq.get(url)
    assert got.status_code == 200, got.status_code
    disposition = got.headers["content-disposition"]
    ascii_part = disposition.split("filename=", 1)[1].split(";", 1)[0]
    assert ascii_part.startswith('"') and ascii_part.endswith('"')
    assert '"' not in ascii_part[1:-1] and "\\" not in ascii_part[1:-1]
    assert "filename*=UTF-8''" in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    from urllib.parse import unquote

    assert unquote(encoded).startswith('flag_audit-Say_"hi"-')
    slash = served.browser("bu").get(
        f"/boroughs/{quote('East/West', safe='')}/worklists/risk_gaps.csv?year=2007-08")
    assert slash.status_code == 200
    assert "/" not in slash.headers["content-disposition"].split("filename=", 1)[1].split(
        ";")[0]


# --- 11. missing optional tables --------------------------------------------------------------


def test_a_warehouse_without_relationships_says_what_is_missing(tmp_path):
    tables = _tables(per_year=6)
    del tables["relationships"]
    app = create_app(_load(tmp_path, tables), state_path=tmp_path / "s.sqlite",
                     secure_cookies=False)
    _users(app)
    with Served(app) as live:
        analyst = live.browser("analyst")
        for url in ("/worklists?year=2007-08", "/boroughs/North/worklists?year=2007-08",
                    "/boroughs/North/worklists/flag_audit.csv?year=2007-08",
                    "/overview?year=2007-08", "/boroughs/North?year=2007-08"):
            got = analyst.get(url)
            assert got.status_code in (200, 404), (url, got.status_code, got.text[-500:])
            if url.endswith(".csv") and got.status_code == 404:
                assert "relationships" in got.text
        page = analyst.get("/worklists?year=2007-08").text
        assert "relationships" in page and "not available" in page


def test_pack_without_relationships_says_what_is_missing(tmp_path):
    tables = _tables(per_year=6)
    del tables["relationships"]
    warehouse = _load(tmp_path, tables)
    from typer.testing import CliRunner

    from dvpi.cli import app as cli

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["pack", str(warehouse), "--week-ending", "2008-03-30",
                                      "--out", str(out), "--people", "exact"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "relationships" in result.output


# --- 15. a cap on uncached computations --------------------------------------------------------


def test_uncached_computations_are_capped_per_user(tmp_path):
    from web_fakes import fake_engine

    gate = threading.Event()
    calls: list = []
    engine = fake_engine({"indicators": {"dv_incidents": {"value": 7}}, "targets": {}}, calls)
    inner = engine.compute

    def slow(*args, **kwargs):
        if kwargs.get("borough") is None and str(args[1]) == "2007-04-02":
            gate.wait(30)
        return inner(*args, **kwargs)

    engine.compute = slow
    folder = tmp_path / "w"
    folder.mkdir()
    app = create_app(_load(folder, _tables(per_year=4)), state_path=tmp_path / "s.sqlite",
                     secure_cookies=False, engine=engine)
    _users(app)
    app.state.dashboard.compute_limit = 1
    with Served(app) as live:
        api = live.client("analyst")
        other = live.client("partner")
        assert api.get("/api/indicators?year=2007-08").status_code == 200  # now cached
        blocked: dict = {}
        worker = threading.Thread(target=lambda: blocked.setdefault(
            "r", api.get("/api/indicators?start=2007-04-02&end=2007-05-01")))
        worker.start()
        deadline = time.monotonic() + 10
        while not any(str(c[0]) == "2007-04-02" for c in calls) and \
                time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            second = api.get("/api/indicators?start=2007-04-03&end=2007-05-01")
            assert second.status_code == 429, second.status_code
            assert int(second.headers["Retry-After"]) >= 1
            # A cached result never counts, and another user has their own allowance.
            assert api.get("/api/indicators?year=2007-08").status_code == 200
            assert other.get("/api/indicators?year=2006-07").status_code == 200
        finally:
            gate.set()
            worker.join(30)
        assert blocked["r"].status_code == 200
        assert api.get("/api/indicators?start=2007-04-03&end=2007-05-01").status_code == 200

"""`dvpi report` and `dvpi pack` from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dvpi.cli import app

EXAMPLE = str(Path(__file__).parent / "data" / "example")
runner = CliRunner()


def test_report_public_without_pdf(example_warehouse: Path, tmp_path: Path):
    # The example loaded and resolved once for the session; a data folder's way through
    # the command (load, resolve, compute) is test_report_without_optional_tables'.
    result = runner.invoke(app, ["report", str(example_warehouse), "--year", "2007-08",
                                 "--out", str(tmp_path), "--audience", "public",
                                 "--threshold", "3", "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "dv-report-2007-08-public.html").read_text(encoding="utf-8")
    assert "[c]" in html and "fewer than 3" in html
    assert not list(tmp_path.glob("*.pdf"))
    # Another threshold than the dashboard's is a second table set for the year: said.
    assert "second protected table set" in " ".join(result.output.split())


def test_report_rejects_a_bad_year(tmp_path: Path):
    result = runner.invoke(app, ["report", EXAMPLE, "--year", "2007-09", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_pack_for_the_public_is_refused(tmp_path: Path):
    """The weekly packs never go to the public or partners (consecutive packs can be
    subtracted): refused with the reason and what to publish instead, before anything is
    read, computed or written."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["pack", EXAMPLE, "--week-ending", "2008-03-30", "--out",
                                 str(out), "--audience", "public"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "not published to the public or to partners" in text
    assert "OFFICIAL-SENSITIVE" in text and "dvpi report --audience public" in text
    assert not out.exists()


def test_public_report_under_another_definition_is_refused(tmp_path: Path):
    """Two definitions of one year overlap (da2021 contains acpo2004): public output is
    published under one, as the partners' dashboard is."""
    result = runner.invoke(app, ["report", EXAMPLE, "--year", "2007-08", "--out",
                                 str(tmp_path / "out"), "--audience", "public",
                                 "--definition", "da2021", "--no-pdf"])
    assert result.exit_code == 2, result.output
    assert "definition" in result.output and not (tmp_path / "out").exists()


def test_pack_rejects_a_bad_date(tmp_path: Path):
    result = runner.invoke(app, ["pack", EXAMPLE, "--week-ending", "30/03/2008", "--out",
                                 str(tmp_path)])
    assert result.exit_code == 2


def test_report_without_optional_tables(tmp_path: Path):
    """Only reports, people and relationships: figures that need other tables say so, and
    there is no equality analysis without a population table."""
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    for name in ("reports", "people", "relationships"):
        shutil.copy(Path(EXAMPLE) / f"{name}.csv", data)
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(data), "--year", "2007-08", "--out", str(out),
                                 "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (out / "dv-report-2007-08.html").read_text(encoding="utf-8")
    assert "not available: outcomes not loaded" in html
    assert 'class="equality"' not in html
    assert "No targets cover this year." in html

"""`dvpi report` and `dvpi pack` from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dvpi.cli import app

EXAMPLE = "/work/shared/spec/example"
runner = CliRunner()


def test_report_public_without_pdf(tmp_path: Path):
    result = runner.invoke(app, ["report", EXAMPLE, "--year", "2007-08", "--out", str(tmp_path),
                                 "--audience", "public", "--threshold", "3", "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "dv-report-2007-08-public.html").read_text(encoding="utf-8")
    assert "[c]" in html and "fewer than 3" in html
    assert not list(tmp_path.glob("*.pdf"))


def test_report_rejects_a_bad_year(tmp_path: Path):
    result = runner.invoke(app, ["report", EXAMPLE, "--year", "2007-09", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_pack_public_writes_no_restricted_workbooks(tmp_path: Path):
    result = runner.invoke(app, ["pack", EXAMPLE, "--week-ending", "2008-03-30", "--out",
                                 str(tmp_path), "--audience", "public"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "dv-pack-2008-03-30-force-public.xlsx",
        "dv-pack-2008-03-30-tower-hamlets-public.xlsx",
        "dv-pack-2008-03-30-waltham-forest-public.xlsx",
    ]


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

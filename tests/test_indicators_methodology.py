"""docs/methodology.md is generated from the registry and must be current."""

from __future__ import annotations

from dvpi.indicators import methodology, registry


def test_methodology_is_up_to_date():
    assert methodology.is_current(), (
        "docs/methodology.md is stale: run `python -m dvpi.indicators.methodology`")


def test_methodology_lists_every_indicator_and_keeps_readings():
    text = methodology.DOC.read_text(encoding="utf-8")
    for ind in registry.INDICATORS:
        assert f"#### `{ind.id}`" in text, ind.id
    assert "## Readings" in text


def test_a_new_declaration_makes_the_file_stale(monkeypatch):
    from dataclasses import replace

    first = registry.INDICATORS[0]
    changed = (replace(first, definition=first.definition + " Changed."),
               *registry.INDICATORS[1:])
    monkeypatch.setattr(registry, "INDICATORS", changed)
    assert not methodology.is_current()


def test_readings_survive_regeneration(tmp_path):
    doc = tmp_path / "m.md"
    doc.write_text(f"old\n{methodology.READINGS_START}\n## Readings\n\nmine\n"
                   f"{methodology.READINGS_END}\n")
    assert methodology.write(doc)
    assert "mine" in doc.read_text() and methodology.is_current(doc)

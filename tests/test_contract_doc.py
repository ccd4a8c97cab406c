"""docs/data-format.md's data dictionary is generated from the contract and current."""

from __future__ import annotations

from dvpi.contract import TABLES, dictionary


def test_the_data_dictionary_is_current():
    assert dictionary.is_current(), (
        "docs/data-format.md is stale: run `python -m dvpi.contract.dictionary`")


def test_it_names_every_table_column_and_rule():
    text = dictionary.DOC.read_text(encoding="utf-8")
    section = text.split(dictionary.START, 1)[1].split(dictionary.END, 1)[0]
    for table in TABLES.values():
        assert f"### `{table.name}`" in section
        for column in table.columns:
            assert f"| `{column.name}` |" in section, (table.name, column.name)
        for rule in table.rules:
            assert rule.reason in section


def test_a_changed_column_makes_it_stale(monkeypatch):
    from dataclasses import replace

    bail = TABLES["bail"]
    changed = replace(bail, columns=(*bail.columns[:-1],
                                     replace(bail.columns[-1], meaning="changed")))
    monkeypatch.setitem(dictionary.TABLES, "bail", changed)
    assert not dictionary.is_current()

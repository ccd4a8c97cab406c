"""The flag audit (rule 27)."""

from __future__ import annotations

from indicator_data import (
    figures,
    rel,
    report,
    suspect,
    victim,
)

IDS = ["flag_audit_unflagged", "flag_audit_overflagged"]


def test_under_and_over_flagging(tmp_path, engine):
    reports = [
        report("U1", dv=False), report("U2", dv=False),   # U2's victim is 16
        report("O1"),                                     # DV, no relationship rows
        report("O2"),                                     # DV, only a neighbour
        report("OK1"),                                    # DV, extended family: cleared
        report("OK2"),                                    # DV, spouse with a child victim
    ]
    people = [victim("u1v", "U1", age=30), suspect("u1s", "U1"),
              victim("u2v", "U2", age=16), suspect("u2s", "U2", age=30),
              victim("o2v", "O2", age=30), suspect("o2s", "O2", age=30),
              victim("k1v", "OK1", age=30), suspect("k1s", "OK1", age=30),
              victim("k2v", "OK2", age=15), suspect("k2s", "OK2", age=30)]
    rels = [rel("U1", "u1v", "u1s", "ex_spouse"), rel("U2", "u2v", "u2s", "parent"),
            rel("O2", "o2v", "o2s", "neighbour"), rel("OK1", "k1v", "k1s", "extended_family"),
            rel("OK2", "k2v", "k2s", "spouse")]
    tables = {"reports": reports, "people": people, "relationships": rels}
    f = figures(tmp_path / "a", engine, IDS, **tables)
    assert (f["flag_audit_unflagged"]["value"], f["flag_audit_overflagged"]["value"]) == (1, 2)
    g = figures(tmp_path / "b", engine, IDS, definition="da2021", **tables)
    assert (g["flag_audit_unflagged"]["value"], g["flag_audit_overflagged"]["value"]) == (2, 2)

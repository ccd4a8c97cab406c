"""Revision notes: which published figures a later load changed.

Each edition of the board report leaves beside itself the figures it published (as the
reader saw them) and the last load of the ingest ledger it was computed from. The next
edition written to the same place compares: a figure whose text changed is listed with
what it was, what it is, and the loads that came in between (from the ledger), as
official statistics revise a published figure in the open.
"""

from __future__ import annotations

import json
from pathlib import Path


def published_figures(context: dict) -> dict[str, dict[str, str]]:
    """The force's figures an edition shows, by "<indicator id> <year>": title and text."""
    out: dict[str, dict[str, str]] = {}
    for section in context["sections"]:
        for row in section["figures"]:
            for year, text in ((context["year"], row["this"]),
                               (context["last_year"], row["last"])):
                out[f"{row['id']} {year}"] = {"title": row["title"], "year": year,
                                              "text": text}
    return out


def read(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(path: Path, figures: dict, generated: str, loads: list[dict]) -> None:
    path = Path(path)
    last = loads[-1]["load_id"] if loads else None
    path.write_text(json.dumps({"generated": generated, "load": last, "figures": figures},
                               indent=1, ensure_ascii=False), encoding="utf-8")


def compare(before: dict | None, now: dict[str, dict[str, str]],
            loads: list[dict]) -> list[dict]:
    """One note per figure whose published text changed since the edition ``before``."""
    if not before:
        return []
    since = before.get("load")
    later = [ld for ld in loads if since is None or ld["load_id"] > since]
    why = ("; ".join(f"load {ld['load_id']} ({ld['finished']}, {ld['mode'] or 'load'} of "
                     f"{', '.join(ld['tables']) or 'no table'})" for ld in later)
           or "no load since: a change of method")
    notes = []
    for key, fig in now.items():
        old = before.get("figures", {}).get(key)
        if old and old.get("text") != fig["text"]:
            notes.append({"title": fig["title"], "year": fig["year"], "was": old["text"],
                          "now": fig["text"], "edition": before.get("generated", ""),
                          "because": why})
    return notes

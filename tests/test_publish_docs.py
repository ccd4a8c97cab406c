"""docs/publishing.md names functions of the statistics core and the outputs: they must exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "publishing.md"
INDICATORS = {"coverage"}  # indicators' modules the publishing page names
STATS = {p.stem for p in (Path(__file__).resolve().parents[1] / "src" / "dvpi" / "stats").glob(
    "*.py")}


def test_every_function_the_docs_name_exists():
    text = DOC.read_text(encoding="utf-8")
    # R's functions the page cites are not ours.
    names = set(re.findall(r"`(\w+)\.(\w+)\(", text)) - {("prop", "test"), ("poisson", "test")}
    assert len(names) >= 15
    for module, attr in sorted(names):
        package = "stats" if module in STATS else "indicators" if module in INDICATORS \
            else "publish"
        mod = importlib.import_module(f"dvpi.{package}.{module}")
        assert hasattr(mod, attr), f"docs/publishing.md names {module}.{attr}, which is gone"


def test_docs_list_every_section_of_the_report():
    from dvpi.publish.report import SECTIONS

    text = " ".join(DOC.read_text(encoding="utf-8").lower().split())
    for section in SECTIONS:
        assert section.title.lower().split(" (")[0] in text, section.title

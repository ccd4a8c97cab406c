"""The two definitions of a domestic ("qualifying") victim-suspect pair."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dvpi.contract import codes


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    relationships: tuple[str, ...]
    min_age: int
    label: str  # short, for a menu
    # When officers flagged DV reports under it (None: no bound known). The flag audit of a
    # period outside these dates judges flags applied under another definition
    # (dvpi.indicators.coverage).
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None

    @property
    def description(self) -> str:
        return (
            f"a relationship row whose relationship is one of {', '.join(self.relationships)}, "
            f"with the victim aged {self.min_age} or over and the suspect aged {self.min_age} "
            "or over or of unknown age (a victim of unknown age does not qualify)"
        )


# The Domestic Abuse Act 2021's "personally connected" age.
DA2021_MIN_AGE = 16

DEFINITIONS: dict[str, Definition] = {
    d.id: d
    for d in (
        Definition(
            "acpo2004",
            "ACPO 2004 (the 2008 report's)",
            codes.INTIMATE + codes.ACPO_FAMILY,
            codes.ADULT_AGE,
            "ACPO 2004",
            # Replaced by the cross-government definition (16 and over) on 31 March 2013.
            in_force_until=dt.date(2013, 3, 30),
        ),
        Definition(
            "da2021",
            "Domestic Abuse Act 2021, 'personally connected'",
            codes.INTIMATE + codes.ACPO_FAMILY + codes.EXTENDED_FAMILY,
            DA2021_MIN_AGE,
            "DA Act 2021",
            # Part 1 (the definition) wholly in force on 1 October 2021 (S.I. 2021/1038).
            in_force_from=dt.date(2021, 10, 1),
        ),
    )
}
DEFAULT_DEFINITION = "acpo2004"

# Any of these clears a DV-flagged report in the over-flagging audit (rule 27).
DOMESTIC_RELATIONSHIPS: tuple[str, ...] = (
    codes.INTIMATE + codes.ACPO_FAMILY + codes.EXTENDED_FAMILY
)


def get_definition(name: str) -> Definition:
    try:
        return DEFINITIONS[name]
    except KeyError:
        known = ", ".join(DEFINITIONS)
        raise ValueError(f"unknown definition {name!r} (known: {known})") from None

"""Plan parameters: shares the report does not give (documented in docs/synthetic-data.md)."""

from __future__ import annotations

import datetime as dt

PLAN: dict[str, float] = {
    "cross_crime_share": 0.7,        # dual-arrest incidents that are crimes
    "t1_three_share": 0.05,          # of victims with several crimes in the year, three
    "offence_single_incident_repeat": 0.55,
    "adult_nc_share": 0.93,          # victim rows of DV non-crimes that are adults
    "unflagged_q_crimes": 0.125,     # of SPI8a offences, reports without the DV flag
    "dv_q_noncrimes": 0.93,          # of SPI8a non-crime incidents, DV-flagged
    "unflagged_extra": 0.04,         # unflagged non-domestic / extended-family reports
    "previous_year_volume": 0.97,    # the year before's reports of each kind, over the year's
    "second_suspect": 0.03,
    "unflagged_q_crime_arrest": 0.45,
    "unflagged_q_nc_arrest": 0.04,
}
# Why a DV crime of the year has no qualifying pair (shares of those that have none).
NONQ_REASONS = {"juvenile_suspect": 0.2, "extended_family": 0.25, "non_domestic": 0.2,
                "relationship_unrecorded": 0.15, "no_suspect": 0.2}
NONQ_REASONS_NON_CRIMES = {"extended_family": 0.15, "non_domestic": 0.25,
                           "relationship_unrecorded": 0.25, "no_suspect": 0.35}
# The extract is taken this many days after the calibrated year's end (30 June 2008 for
# 2007-08): outcomes, arrests and hearings after it are not in the data yet.
EXTRACT_DAYS_AFTER = 91
DASH_FROM = dt.date(2008, 1, 1)  # the MPS began using DASH in January 2008
DASH_SHARE = 0.3                 # of first assessments from then
DETECTION_WEIGHT_ARRESTED = 4.0  # an arrested crime's chance of a sanction, over another's
INTIMATE_W = {"partner": 30, "spouse": 20, "ex_partner": 25, "cohabitee": 10,
              "ex_spouse": 7, "ex_cohabitee": 5, "civil_partner": 1}
NON_DOMESTIC_W = {"acquaintance": 40, "neighbour": 20, "other": 20, "unknown": 15,
                  "stranger": 5}
# Outcome types: other sanctions (shares) and non-sanction outcomes (0: none yet).
OTHER_SANCTIONS = {6: 0.6, 4: 0.3, 7: 0.1}
NON_SANCTION = {16: 35, 15: 15, 14: 5, 10: 4, 21: 4, 9: 2, 18: 3, 20: 2, 0: 30}
OFFENCE_MIX = {"common_assault": 44, "abh": 30, "criminal_damage": 8, "harassment": 6,
               "breach_of_order": 3, "gbh": 2, "threats_to_kill": 1.5, "rape": 1.5,
               "other_sexual_offence": 0.6, "attempted_murder": 0.1, "other": 3}
RISK_LEVEL_SHARE = {"standard": 0.70, "medium": 0.22, "high": 0.08}
DASH_YES_RANGE = {"standard": (0, 6), "medium": (6, 13), "high": (14, 22)}

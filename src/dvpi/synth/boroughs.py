"""The 32 London boroughs: 2007 resident population, postcode districts, ethnic mix.

Population totals are rounded mid-2007 estimates (ONS mid-year estimates as remembered to
the nearest thousand; right order of magnitude, not an official table). Ethnic-appearance
shares are rough readings of the 2001 census by borough, mapped to IC codes; gender and
age shares are London-wide assumptions. Good enough for rates per 1,000 and for drawing
where victims live; not a statistical source.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Borough:
    name: str
    population: int  # mid-2007, thousands
    districts: tuple[str, ...]
    # shares of IC1..IC6 (percent)
    ic: tuple[float, float, float, float, float, float]


BOROUGHS: tuple[Borough, ...] = (
    Borough("Barking and Dagenham", 168, ("RM8", "RM9", "RM10", "IG11"), (78, 3, 11, 5, 1, 1)),
    Borough("Barnet", 329, ("N2", "N3", "N11", "N12", "N20", "NW4", "NW7", "NW9", "EN5"),
            (66, 7, 7, 14, 3, 3)),
    Borough("Bexley", 223, ("DA5", "DA6", "DA7", "DA8", "DA14", "DA15", "DA16"),
            (88, 2, 4, 4, 1, 1)),
    Borough("Brent", 271, ("NW2", "NW6", "NW10", "HA0", "HA9"), (40, 8, 22, 25, 2, 3)),
    Borough("Bromley", 302, ("BR1", "BR2", "BR3", "BR4", "BR5", "BR6", "BR7"),
            (88, 2, 5, 3, 1, 1)),
    Borough("Camden", 227, ("NW1", "NW3", "NW5", "WC1H", "WC1N", "N6"), (63, 8, 10, 12, 4, 3)),
    Borough("Croydon", 337, ("CR0", "CR2", "CR7", "SE25", "CR8"), (64, 3, 18, 12, 1, 2)),
    Borough("Ealing", 306, ("W3", "W5", "W7", "W13", "UB1", "UB2", "UB5", "UB6"),
            (55, 7, 9, 24, 2, 3)),
    Borough("Enfield", 287, ("EN1", "EN2", "EN3", "N9", "N13", "N18", "N21"),
            (65, 12, 12, 8, 1, 2)),
    Borough("Greenwich", 222, ("SE2", "SE3", "SE7", "SE9", "SE10", "SE18", "SE28"),
            (72, 3, 14, 8, 2, 1)),
    Borough("Hackney", 209, ("E2", "E5", "E8", "E9", "N1", "N16"), (48, 12, 26, 9, 3, 2)),
    Borough("Hammersmith and Fulham", 172, ("W6", "W12", "W14", "SW6"), (70, 6, 12, 6, 2, 4)),
    Borough("Haringey", 225, ("N4", "N8", "N10", "N15", "N17", "N22"), (55, 14, 20, 7, 2, 2)),
    Borough("Harrow", 214, ("HA1", "HA2", "HA3", "HA5", "HA7"), (56, 4, 6, 30, 2, 2)),
    Borough("Havering", 228, ("RM1", "RM2", "RM3", "RM7", "RM11", "RM12", "RM14"),
            (91, 2, 3, 3, 0.5, 0.5)),
    Borough("Hillingdon", 251, ("UB3", "UB4", "UB7", "UB8", "UB10", "HA4"),
            (74, 3, 5, 15, 1, 2)),
    Borough("Hounslow", 216, ("TW3", "TW4", "TW5", "TW7", "TW13", "TW14", "W4"),
            (58, 4, 6, 28, 1, 3)),
    Borough("Islington", 190, ("N1", "N5", "N7", "N19", "EC1V"), (64, 10, 14, 6, 3, 3)),
    Borough("Kensington and Chelsea", 178, ("SW3", "SW5", "SW7", "SW10", "W8", "W10", "W11"),
            (72, 6, 8, 5, 3, 6)),
    Borough("Kingston upon Thames", 158, ("KT1", "KT2", "KT3", "KT5", "KT6", "KT9"),
            (80, 3, 3, 9, 4, 1)),
    Borough("Lambeth", 273, ("SE1", "SE11", "SE24", "SE27", "SW2", "SW4", "SW8", "SW9",
                             "SW16"), (58, 6, 26, 5, 3, 2)),
    Borough("Lewisham", 261, ("SE4", "SE6", "SE8", "SE12", "SE13", "SE14", "SE23", "SE26"),
            (60, 4, 27, 5, 2, 2)),
    Borough("Merton", 199, ("SW19", "SW20", "CR4", "SM4"), (71, 4, 9, 13, 2, 1)),
    Borough("Newham", 249, ("E6", "E7", "E12", "E13", "E15", "E16"), (36, 5, 23, 32, 2, 2)),
    Borough("Redbridge", 257, ("IG1", "IG2", "IG3", "IG4", "IG5", "IG6", "IG8", "E18"),
            (60, 3, 8, 26, 2, 1)),
    Borough("Richmond upon Thames", 180, ("TW1", "TW2", "TW9", "TW10", "TW11", "TW12", "SW13",
                                          "SW14"), (88, 3, 2, 5, 1, 1)),
    Borough("Southwark", 275, ("SE1", "SE5", "SE15", "SE16", "SE17", "SE21", "SE22"),
            (58, 5, 28, 4, 3, 2)),
    Borough("Sutton", 185, ("SM1", "SM2", "SM3", "SM5", "SM6"), (86, 2, 4, 6, 1, 1)),
    Borough("Tower Hamlets", 215, ("E1", "E1W", "E2", "E3", "E14"), (48, 4, 7, 37, 3, 1)),
    Borough("Waltham Forest", 222, ("E4", "E10", "E11", "E17"), (58, 6, 17, 16, 1, 2)),
    Borough("Wandsworth", 284, ("SW11", "SW12", "SW15", "SW17", "SW18"),
            (74, 5, 11, 7, 2, 1)),
    Borough("Westminster", 231, ("W1", "W2", "W9", "SW1", "NW8", "WC2"), (66, 7, 7, 9, 4, 7)),
)

# London-wide assumptions for the population table.
GENDER_SHARE = {"M": 0.49, "F": 0.51}
AGE_SHARE = {"0-17": 0.22, "18-29": 0.19, "30-39": 0.17, "40-49": 0.14, "50-59": 0.11,
             "60+": 0.17}

# Postcode unit letters (Royal Mail omits C I K M O V in the inward code).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

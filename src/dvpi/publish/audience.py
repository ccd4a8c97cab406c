"""Who each output may go to: the weekly packs never leave the force.

The weekly packs are management information: a borough's figures week by week, with
the financial year to date beside them. Published to a protected audience (the public,
partners) they would be disclosive however each pack is protected: each pack's weeks
and year to date add up to the next pack's year to date, so the week is the difference
of two published figures (a review of the packs as they were recovered 667 suppressed
week cells from 32 public packs). Protecting a whole year's weeks jointly is no remedy
for a *weekly* release: week 1's suppression would have to be decided knowing week 52,
and changing it later publishes the difference. So, as a statistician publishing
official statistics would (ONS/GSS: one protected table set per release), the packs go
only to the force and the borough's own officers, marked OFFICIAL-SENSITIVE, and the
public and partners get the protected grid of ``stats.release`` (financial years).
"""

from __future__ import annotations

from dvpi.stats import release

# The audiences a weekly pack may be written for.
PACK_AUDIENCES: tuple[str, ...] = ("internal",)
# The Government Security Classification marking of a pack (and of its RESTRICTED lists,
# which carry their own stronger wording as well).
PACK_MARKING = "OFFICIAL-SENSITIVE"
PACK_AUDIENCE_NOTE = (f"{PACK_MARKING}: for the force and the borough's own officers. "
                      "Not for publication or for partners.")

PACK_REFUSED = (
    "The weekly packs are not published to the public or to partners: consecutive packs "
    "can be subtracted (this week's year to date less last week's gives the week), which "
    "would give away suppressed figures. They are for the force and the borough's own "
    f"officers ({PACK_MARKING}): use --audience internal. For the public, publish a "
    "financial year: `dvpi report --audience public`, or the partners' dashboard."
)


class AudienceError(ValueError):
    """An output asked for an audience it may not go to: nothing is written."""


def check_pack(audience: str) -> None:
    """Raise ``AudienceError`` unless a weekly pack may be written for ``audience``."""
    if audience not in PACK_AUDIENCES:
        raise AudienceError(PACK_REFUSED)


def check_public_release(definition: str) -> None:
    """Raise ``AudienceError`` unless a public output under ``definition`` is on the
    published grid (a financial year is, under the published definition only)."""
    if definition != release.PUBLISHED_DEFINITION:
        raise AudienceError(
            f"Public output is published under the {release.PUBLISHED_DEFINITION} "
            f"definition only (not {definition}): the partners' dashboard publishes that "
            "one, and two definitions of the same year overlap, so their difference "
            "would give away suppressed figures.")

"""The synthetic-data generator as a pipeline: small steps over one :class:`SynthState`.

The steps run in the order of :data:`STEPS`, each reading the state the ones before it
left and adding its own part. The order is part of the output: every random draw comes
from the state's one generator, so the same seed gives the same data set only if the
steps (and the draws inside them) keep their order.

    victims   -> who the year's adult DV victims are, and their recorded breakdowns
    reports   -> every report of the two years, victim rows, suspect rows
    outcomes  -> offences, arrests, outcomes, accused persons
    persons   -> each true person's gender, appearance, age and date of birth
    recording -> homes, names, recorded values, noise, arrests, ids
    tables    -> the tables of the interchange format (version 1) and the truth
    casework, orders, services -> the version-2 columns and tables, from their own
                 random stream (state.v2_rng), so the version-1 tables never move
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dvpi.synth import (
    casework,
    orders,
    outcomes,
    persons,
    recording,
    reports,
    services,
    tables,
    victims,
)
from dvpi.synth.parameters import PLAN
from dvpi.synth.profile import Profile
from dvpi.synth.state import Built, SynthState

Step = Callable[[SynthState], None]

STEPS: tuple[Step, ...] = (
    victims.count_victim_kinds,
    victims.draw_victim_rows,
    victims.fix_special_victims,
    victims.plan_crime_victim_units,
    reports.plan_dv_crimes,
    reports.plan_dv_non_crimes,
    reports.plan_previous_year,
    reports.choose_crime_reasons,
    reports.choose_non_crime_reasons,
    reports.choose_previous_reasons,
    reports.plan_unflagged_reports,
    reports.assemble_reports,
    reports.lay_out_victim_rows,
    reports.lay_out_suspect_rows,
    reports.index_reports_by_id,
    outcomes.choose_offences,
    outcomes.choose_arrests,
    outcomes.plan_fixed_outcomes,
    outcomes.plan_sanction_detections,
    outcomes.plan_non_sanction_outcomes,
    outcomes.name_outcome_persons,
    outcomes.merge_accused_persons,
    persons.lay_out_people_rows,
    persons.draw_true_attributes,
    persons.draw_crime_victim_ages,
    persons.draw_other_ages,
    persons.set_homicide_suspects,
    persons.choose_accused_attributes,
    persons.draw_accused_ages,
    persons.draw_dates_of_birth,
    recording.make_suspects_adult,
    recording.choose_boroughs,
    recording.choose_names,
    recording.choose_postcodes,
    recording.record_values,
    recording.apply_date_of_birth_noise,
    recording.record_names_and_postcodes,
    recording.record_arrests,
    recording.assign_report_and_person_ids,
    recording.assign_nominal_ids,
    tables.write_people_and_truth,
    tables.write_relationships,
    tables.write_calls_and_reports,
    tables.write_outcomes,
    tables.write_risk_assessments,
    tables.write_cps_cases,
    tables.write_homicide_reviews,
    tables.write_reference_tables,
    casework.start_version_2,
    casework.record_decision_dates,
    casework.record_risk_plans,
    casework.write_bail,
    orders.date_court_outcomes,
    orders.write_protective_orders,
    orders.write_disclosures,
    orders.write_programme_requirements,
    services.write_marac_cases,
    services.write_support_referrals,
    services.write_victim_surveys,
    services.order_version_2_tables,
)


def new_state(profile: Profile, seed: int, date_shift_days: int = 0,
              force: str | None = None,
              previous_year_volume: float = PLAN["previous_year_volume"]) -> SynthState:
    return SynthState(profile=profile, seed=seed, rng=np.random.default_rng(seed),
                      date_shift_days=date_shift_days, force=force,
                      previous_year_volume=previous_year_volume)


def run(profile: Profile, seed: int, steps: tuple[Step, ...] = STEPS,
        after_step: Callable[[Step, SynthState], None] | None = None,
        date_shift_days: int = 0, force: str | None = None,
        previous_year_volume: float = PLAN["previous_year_volume"]) -> SynthState:
    """Run ``steps`` in order over a new state; ``after_step`` (for tests and progress)
    is called after each with the step and the state. ``date_shift_days`` and ``force``
    say where the build will land (the national scale): the law's eras follow them;
    ``previous_year_volume`` how much of the year before to build."""
    state = new_state(profile, seed, date_shift_days, force, previous_year_volume)
    for step in steps:
        step(state)
        if after_step is not None:
            after_step(step, state)
    return state


def build_london(profile: Profile, seed: int, date_shift_days: int = 0,
                 force: str | None = None,
                 previous_year_volume: float = PLAN["previous_year_volume"]) -> Built:
    """Every table of a calibrated London data set for ``profile`` and its truth."""
    state = run(profile, seed, date_shift_days=date_shift_days, force=force,
                previous_year_volume=previous_year_volume)
    return Built(state.tables, state.truth)

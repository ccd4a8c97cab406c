"""Rates and shares of the version-2 tables. Each says where it comes from; "assumption"
means no published figure was found (docs/synthetic-data.md, "Version 2 tables")."""

from __future__ import annotations

# The version-2 tables' own random stream: seeded from the data set's seed and this
# number, so the version-1 tables (drawn from the state's generator) never move.
V2_STREAM = 2

# --- Charging decisions and bail (para 89) -------------------------------------------
CPS_DECISION_DATE_UNRECORDED = 0.02  # assumption
# Of arrested suspects whose case was not closed in custody, the share bailed or released
# under investigation (College of Policing, "Pre-charge bail - an exploratory study",
# 2016: 60% of its sample bailed initially).
BAILED_SHARE = 0.6
# Of those released after 3 April 2017, the share released under investigation rather
# than on bail: DA bail fell by nearly two-thirds (65%) after the reform (HMICFRS); after
# the 2022 reform, an even split (assumption).
RUI_SHARE_2017 = 0.65
RUI_SHARE_2022 = 0.5
# Outcome type -> what ended the bail.
BAIL_ENDED_BY = {1: "charge", 2: "out_of_court_disposal", 3: "out_of_court_disposal",
                 4: "out_of_court_disposal", 6: "out_of_court_disposal",
                 7: "out_of_court_disposal", 8: "out_of_court_disposal",
                 22: "out_of_court_disposal", 9: "no_further_action",
                 10: "no_further_action", 14: "no_further_action", 15: "no_further_action",
                 16: "no_further_action", 18: "no_further_action", 21: "no_further_action"}

# --- Protective notices and orders ----------------------------------------------------
# Non-molestation orders: 21,194 made in England and Wales in 2010, about 23,500 a year
# 2014-17 (MoJ, Hansard written answers). London is about 14% of England and Wales, so
# about 3,000 a year against the London build's 102,000 DV reports a year.
NON_MOLESTATION_PER_DV_REPORT = 0.029
NON_MOLESTATION_OUTCOME = {"granted": 0.93, "withdrawn": 0.06, "refused": 0.01}
# Restraining orders on conviction: before 30 September 2009 only for harassment
# (assumption: half of them); then 19,216 on conviction and 1,932 on acquittal in 2017
# (Hansard) against about 70,000 DA convictions: 27%; 10% of acquittals (assumption).
RESTRAINING_HARASSMENT_CONVICTIONS = 0.5
RESTRAINING_CONVICTIONS = 0.27
RESTRAINING_ACQUITTALS = 0.10
RESTRAINING_OUTCOME = {"granted": 0.92, "refused": 0.08}  # assumption
# DVPNs: used in about 1% (2016-17) to 1.4% (year to March 2024) of DA cases (Centre for
# Women's Justice, 2024); here on DV reports with an arrested suspect (1.4% of all).
DVPN_PER_ARRESTED_REPORT = 0.03
DVPO_APPLIED_AFTER_DVPN = 0.9  # assumption
# April-June 2020: 1,657 of 1,873 DVPO applications granted, 88% (ONS via Thames Valley).
DVPO_OUTCOME = {"granted": 0.88, "refused": 0.08, "withdrawn": 0.04}
# 565 of 3,072 DVPOs granted to the end of 2014 were breached, 18% (Home Office, 2016).
DVPO_BREACHED = 0.18
DVPN_BREACHED = 0.05  # assumption
# DAPO pilot, Croydon, Bromley and Sutton: 219 DAPNs and 180 DAPOs in its first year,
# 39 breaches pursued of 399 active orders and notices (Metropolitan Police via BBC, 2025).
DAPN_PER_ARRESTED_REPORT = 0.06
DAPO_APPLIED_AFTER_DAPN = 0.85
DAPO_OUTCOME = {"granted": 0.93, "refused": 0.04, "withdrawn": 0.03}
DAPO_BREACHED = 0.12
STALKING_PROTECTION_PER_HARASSMENT_REPORT = 0.03  # assumption
STALKING_PROTECTION_OUTCOME = {"granted": 0.85, "refused": 0.1, "withdrawn": 0.05}
BREACHED_OTHER = 0.2  # non-molestation and restraining orders: assumption

# --- Clare's Law ----------------------------------------------------------------------
# April-June 2020, England and Wales: right to know 2,618 applications (53% disclosed),
# right to ask 3,377 (38%) (ONS, "Domestic abuse during the coronavirus pandemic"),
# against about 190,000 DA-flagged crimes a quarter: 1.4 and 1.8 per 100 crimes.
DVDS_PER_DV_CRIME = {"right_to_ask": 0.018, "right_to_know": 0.014}
DVDS_DISCLOSED = {"right_to_ask": 0.38, "right_to_know": 0.53}
DVDS_WITHDRAWN = 0.08  # assumption

# --- MARAC ----------------------------------------------------------------------------
# Share of high-risk DV victims police referred to a MARAC, by year: MARACs spread from
# 2006 (Cardiff 2003) to about 250 by 2011; assumption.
MARAC_POLICE_REFERRAL = {2006: 0.35, 2007: 0.5, 2008: 0.6, 2009: 0.7, 2011: 0.8}
MARAC_MALE_FACTOR = 0.3  # men are referred less: 6.4% of cases (SafeLives, Sep 2024)
MARAC_ESCALATION = 0.3   # medium risk with 3+ reports in 12 months (potential escalation)
MARAC_MEETING_EVERY_DAYS = {2006: 28, 2011: 14}  # monthly, then fortnightly: assumption
# Partner-agency (non-police) referrals: 36.1% (SafeLives, 12 months to September 2024);
# about 25% in 2008 (assumption), in between by straight line.
MARAC_PARTNER_SHARE = {2008: 0.25, 2024: 0.361}
MARAC_PARTNER_AGENCIES = {"idva": 30, "health": 12, "children_social_care": 15,
                          "adult_social_care": 4, "housing": 8, "probation": 8,
                          "education": 2, "voluntary_sector": 15, "other": 6}  # assumption
MARAC_PARTNER_CRITERIA = {"visible_high_risk": 60, "professional_judgement": 25,
                          "potential_escalation": 10, "other": 5}  # assumption
# Repeat cases: 31% (SafeLives, Sep 2024); 15% in 2015/16 in West Wales; assumption 15%
# in 2008, in between by straight line.
MARAC_REPEAT_SHARE = {2008: 0.15, 2024: 0.31}
MARAC_LGBT = 0.016      # SafeLives, Sep 2024
MARAC_DISABLED = 0.101  # SafeLives, Sep 2024
MARAC_RECORDED = 0.9    # share of cases with LGBT+ / disability recorded: assumption
# Children in the household: 1,462 children in 984 cases (West Wales 2015/16), 1.5 a case.
MARAC_CHILDREN = {0: 36, 1: 22, 2: 21, 3: 12, 4: 6, 5: 3}

# --- Support referrals (para 92) ------------------------------------------------------
IDVA_AFTER_MARAC = 0.85  # assumption (SafeLives: every MARAC victim offered an IDVA)
IDVA_HIGH_RISK_NO_MARAC = {2006: 0.2, 2008: 0.3, 2011: 0.4}  # assumption
VICTIM_SUPPORT_CRIME_VICTIMS = 0.35  # Victims' Code 2006 referral with consent: assumption
ISVA_SEXUAL_OFFENCE_VICTIMS = 0.5    # assumption
REFUGE = {"high": 0.08, "medium": 0.02}  # assumption
OTHER_SERVICE = 0.02                     # assumption
ENGAGED = {"idva": 0.65, "isva": 0.6, "victim_support": 0.3, "refuge": 0.7,
           "other": 0.5}  # assumption
ENGAGEMENT_UNRECORDED = 0.1  # assumption

# --- Victim satisfaction (paras 45-46) -----------------------------------------------
# Adult victims of DV crimes interviewed: a local survey before April 2017, the Home
# Office's mandatory one after (assumption on the sampling fractions).
SURVEY_SAMPLE = {"before_2017": 0.02, "from_2017": 0.04}
# Satisfied (completely, very or fairly). User satisfaction survey levels for one force
# (Northumbria, 12 months to February 2017: whole experience 90%, ease of contact 98%,
# actions 87%, follow-up 84%, treatment 96%, white - BME gap 4 points); DV victims and an
# average force a little lower (assumption).
SATISFIED = {"overall": 0.78, "ease_of_contact": 0.93, "actions_taken": 0.78,
             "kept_informed": 0.70, "treatment": 0.90}
SATISFACTION_BME_GAP = 0.04
ELEMENT_ANSWERED = 0.95
SATISFIED_SPLIT = {"completely_satisfied": 30, "very_satisfied": 40, "fairly_satisfied": 30}
DISSATISFIED_SPLIT = {"neither": 30, "fairly_dissatisfied": 25, "very_dissatisfied": 25,
                      "completely_dissatisfied": 20}

# --- Risk-management plans (para 70) ---------------------------------------------------
PLAN_RECORDED = {("primary", "standard"): 0.25, ("primary", "medium"): 0.6,
                 ("primary", "high"): 0.8, ("secondary", "standard"): 0.7,
                 ("secondary", "medium"): 0.85, ("secondary", "high"): 0.9}  # assumption

# --- Perpetrator programmes (paras 76-78) ---------------------------------------------
# More than 4,000 IDAP requirements ordered in England and Wales in 2007, 1,800 completed
# (MoJ via The Guardian, 17 February 2008); London's share (14%) of about 560 against the
# London build's DV convictions: 12%.
PROGRAMME_PER_CONVICTION = 0.12
PROGRAMME_WOMEN = 0.3  # IDAP and BBR are for men; women's rate a third of it: assumption
PROGRAMME_ORDER_MONTHS = {12: 20, 18: 30, 24: 40, 36: 10}  # assumption
# Of those who start: completed, breached, revoked, other (assumption, with 1,800 of 4,000
# completed in 2007 in mind).
PROGRAMME_ENDINGS = {"completed": 60, "breached": 30, "revoked": 5, "other": 5}
# 9 of 42 probation areas ran the Community Domestic Violence Programme instead of IDAP
# (Home Affairs Committee evidence, January 2008): `other` outside London before BBR.
PROGRAMME_OTHER_BEFORE_BBR = 9 / 42

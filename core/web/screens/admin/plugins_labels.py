"""Chinese names for what plugins and rules only name in code: the plugins of this
repository, their settings and the warning rules' parameters. A name not listed here (a
third party's plugin) is shown as its key, with the description the plugin gives."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PLUGINS = {
    "rural": (_l("Rural"), _l("Villages: collective income, first secretaries, duty posts, mobile members.")),
    "community": (_l("Community"), _l("Communities: grid branches, red property management, registered members, workers.")),
    "organs": (_l("Government organs"), _l("Organs: model organ creation, one brand per organ, Party-work staff.")),
    "two_new": (_l("New economic and social organisations"), _l("Non-public enterprises and social organisations: coverage, joint branches, instructors.")),
    "soe": (_l("State-owned enterprises"), _l("SOEs: Party building in the articles, prior study of decisions, cross appointments.")),
    "core.assessment.plugin": (_l("Assessment and star rating"), _l("Star thresholds, the five-star cap, vetoes and the two index formulas.")),
    "core.points.plugin": (_l("Member points"), _l("Approval, members not ranked, gold and silver card levels.")),
    "core.problems.plugin": (_l("Problems ledger"), _l("Categories, evidence for close-out, default deadlines.")),
    "core.reviews.plugin": (_l("Secretaries' reviews"), _l("Weights of the rater groups, points per rating, the star rating's share, the deduction per open warning, grade thresholds.")),
}

# setting or parameter key → (label, hint when the declaration has no Chinese description)
SETTINGS = {
    "weight_members": (_l("Weight of the members' ratings"), None),
    "weight_peers": (_l("Weight of the peer secretaries' ratings"), None),
    "weight_higher": (_l("Weight of the higher level's ratings"), None),
    "score_good": (_l("Points of a rating 好"), None),
    "score_fairly_good": (_l("Points of a rating 较好"), None),
    "score_average": (_l("Points of a rating 一般"), None),
    "score_poor": (_l("Points of a rating 差"), None),
    "assessment_weight": (_l("Share of the star rating's score"), None),
    "warning_deduction": (_l("Deduction per open warning"), None),
    "warning_deduction_cap": (_l("Most deducted for open warnings"), None),
    "grade_good": (_l("Lowest score graded 好"), None),
    "grade_fairly_good": (_l("Lowest score graded 较好"), None),
    "grade_average": (_l("Lowest score graded 一般 (below: 差)"), None),
    "committee_term_years": (_l("Term of a primary Party committee (years)"), None),
    "branch_term_years": (_l("Term of a general branch or branch (years)"), None),
    "collective_income_target_wan": (_l("Village collective income target (10,000 yuan)"), None),
    "no_recruit_years_warning": (_l("Years without recruiting before a village is flagged"), None),
    "village_committee_term_years": (_l("Term of a villagers' committee (years)"), None),
    "duty_posts": (_l("Duty posts for members without a post"), _l("One per line.")),
    "workers_per_10k_population": (_l("Community workers per 10,000 residents"), None),
    "worker_min_monthly_pay_yuan": (_l("Lowest average monthly pay of community workers (yuan)"), None),
    "venue_area_per_100_households_m2": (_l("Service venue area per 100 households (m²)"), None),
    "venue_min_area_m2": (_l("Smallest service venue (m²)"), None),
    "registered_member_services_per_year": (_l("Services a registered member does each year"), None),
    "party_staff_ratio_percent": (_l("Full-time Party-work staff (% of staff)"), None),
    "party_staff_min_organ_size": (_l("Staff from which an organ needs a full-time Party-work cadre"), None),
    "model_organ_criteria": (_l("Model organ criteria"), _l("One per line.")),
    "brand_milestone_grace_days": (_l("Grace days for brand milestones"), None),
    "business_goals_due_month": (_l("Month by which business goals are set"), None),
    "performance_link_min_weight_pct": (_l("Least weight of Party building in leaders' performance (%)"), None),
    "performance_link_salary_required": (_l("Party-building result bears on leaders' pay"), None),
    "prior_review_min_days": (_l("Days the prior study must come before the decision"), None),
    "secretary_chairman_same_person": (_l("Party secretary is also the chairman"), None),
    "full_time_deputy_secretary_min_employees": (_l("Employees from which a full-time deputy secretary is expected"), None),
    "cross_appointment_min_members": (_l("Committee members expected on the board or in management"), None),
    "branch_min_full_members": (_l("Full members from which a unit forms its own branch"), None),
    "joint_branch_max_units": (_l("Most units in one joint branch"), None),
    "survey_interval_months": (_l("Months after which a unit's figures should be surveyed again"), None),
    "star_thresholds": (_l("Star thresholds"), _l("Four scores, one per line, highest first.")),
    "five_star_cap": (_l("Cap on five-star organisations"), None),
    "veto_reasons": (_l("Veto reasons"), _l("One per line.")),
    "veto_stars": (_l("Stars after a veto"), None),
    "fortress_formula": (_l("Fortress index formula"), None),
    "vanguard_formula": (_l("Vanguard index formula"), None),
    "self_approve": (_l("Recorder may approve their own entry"), None),
    "exempt_categories": (_l("Members kept out of the ranking"),
                          _l("One per line: retired, mobile, lost_contact, elderly, probationary.")),
    "elderly_age": (_l("Age from which a member counts as elderly"), None),
    "silver_threshold": (_l("Points for a silver card"), None),
    "gold_threshold": (_l("Points for a gold card"), None),
    "evidence_required": (_l("Evidence required for close-out"), None),
    "categories": (_l("Problem categories"), _l("One per line.")),
    "weak_reason_categories": (_l("Reasons for a weak-and-lax designation"), _l("One per line.")),
    "default_deadline_days": (_l("Default deadline (days)"), None),
    # warning-rule parameters
    "months": (_l("Number of months"), None),
    "days": (_l("Days"), None),
    "days_before": (_l("Days before"), None),
    "grace_days": (_l("Grace days"), None),
    "lookback_days": (_l("Days looked back"), None),
    "within_days": (_l("Within days"), None),
    "period_months": (_l("Period (months)"), None),
    "probation_months": (_l("Probation (months)"), None),
    "years": (_l("Years"), None),
    "due_month": (_l("Due month"), None),
    "target": (_l("Target (10,000 yuan)"), None),
    "kinds": (_l("Organisation kinds"), _l("One per line.")),
    "committee_min": (_l("Smallest committee"), None),
    "committee_max": (_l("Largest committee"), None),
    "committee_min_size": (_l("Smallest committee checked"), None),
    "committee_over": (_l("Members above which a committee is needed"), None),
    "committee_from_full_members": (_l("Full members from which a committee is needed"), None),
    "general_branch_over": (_l("Members above which a general branch fits"), None),
    "min_full_members": (_l("Least full members"), None),
    "max_units": (_l("Most units"), None),
    "min_area_m2": (_l("Smallest area (m²)"), None),
    "per_100_households_m2": (_l("Area per 100 households (m²)"), None),
    "per_10k_population": (_l("Workers per 10,000 residents"), None),
    "min_monthly_pay": (_l("Lowest monthly pay (yuan)"), None),
    "min_organ_size": (_l("Smallest organ size"), None),
    "ratio_percent": (_l("Ratio (%)"), None),
}


def plugin_name(name: str):
    return PLUGINS.get(name, (name, None))[0]


def plugin_description(name: str, fallback: str = ""):
    return PLUGINS.get(name, (None, None))[1] or fallback


def label(key: str):
    return SETTINGS.get(key, (key, None))[0]


def hint(key: str):
    return SETTINGS.get(key, (None, None))[1]

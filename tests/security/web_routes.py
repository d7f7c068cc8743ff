"""What the web isolation tests must know about each page, in explicit tables (the pages
themselves come from the app's URL map when the tests run; a page missing here fails
:func:`tests.security.test_isolation_web.test_every_page_is_known`).

* :data:`PAGE_KINDS` — each URL parameter of a page and the kind of record (a key of
  :attr:`tests.security.world.City.ids`) whose id it takes.
* :data:`SAME_NAME_KINDS` — values every city shares (a plugin's name, a built-in rule's key).
* :data:`PUBLIC` — pages served without a login on purpose, with the reason.
* :data:`FORMS` — the fields a POST sends besides the CSRF token (``@kind`` and ``{mark}``
  as in :mod:`tests.security.api_routes`); the id in the URL is looked up before the form is
  read, so most send nothing more.
* :data:`QUERY_KINDS` — query arguments of a page that name a record.
* :data:`MIN_ROLE` — the least role a page needs ("GET web.x" / "POST web.x"); every lower
  role is refused. A page not listed is for every logged-in user.
"""

from __future__ import annotations

from datetime import date, timedelta

_ORG = {"org_id": "org"}
_PROBLEM = {"problem_id": "problem"}
_USER = {"user_id": "user"}
_SEC_REVIEW = {"cycle_id": "sec_review"}
_SEC_ENTRY = {"entry_id": "sec_review_entry"}
_SEC_ITEM = {"entry_id": "sec_review_item.entry", "item_id": "sec_review_item"}
_SEC_FILE = {"entry_id": "sec_review_file.entry", "attachment_id": "sec_review_file"}
_REVIEW = {"cycle_id": "review_cycle", "org_id": "org"}
_ARCHIVE_DOC = {"member_id": "member", "document_id": "archive_document"}
_PERSON_DOC = {"person_id": "person", "document_id": "person_archive_document"}

_BRAND = {"brand_id": "library_brand"}
_SITE = {"site_id": "model_site"}

PAGE_KINDS: dict[str, dict[str, str]] = {
    "web.brand_page": _BRAND,
    "web.brand_edit": _BRAND,
    "web.brand_case_add": _BRAND,
    "web.brand_case_delete": {"brand_id": "brand_case.brand", "case_id": "brand_case"},
    "web.brand_site_page": _SITE,
    "web.brand_site_pass": _SITE,
    "web.brand_site_refuse": _SITE,
    "web.brand_site_objection": _SITE,
    "web.brand_site_settle": {"site_id": "site_objection.site", "objection_id": "site_objection"},
    "web.brand_site_award": _SITE,
    "web.brand_site_review": _SITE,
    "web.brand_site_withdraw": _SITE,
    "web.admin_plugin_toggle": {"name": "plugin_name", "change": "toggle"},
    "web.admin_plugin_settings": {"name": "plugin_name"},
    "web.admin_point_rule": {"key": "point_rule"},
    "web.admin_point_rule_reset": {"key": "point_rule"},
    "web.admin_partner": {"partner_id": "partner"},
    "web.admin_partner_key": {"partner_id": "partner"},
    "web.admin_partner_offer_new": {"partner_id": "partner"},
    "web.admin_partner_offer": {"partner_id": "partner", "offer_id": "offer"},
    "web.admin_standard": {"standard_id": "standard"},
    "web.admin_standard_versions": {"standard_id": "standard"},
    "web.admin_standard_version": {"standard_id": "standard", "number": "version_number"},
    "web.admin_user": _USER,
    "web.admin_user_grant": _USER,
    "web.admin_user_revoke": {"user_id": "user", "grant_id": "grant"},
    "web.admin_user_member": _USER,
    "web.admin_user_password": _USER,
    "web.admin_user_unlock": _USER,
    "web.admin_user_active": _USER,
    "web.admin_warning_rule_toggle": {"key": "warning_rule", "change": "toggle"},
    "web.admin_warning_rule": {"key": "warning_rule"},
    "web.cycle_page": {"cycle_id": "cycle"},
    "web.cycle_run": {"cycle_id": "review_cycle"},
    "web.cycle_publish": {"cycle_id": "review_cycle"},
    "web.cycle_reopen": {"cycle_id": "cycle"},
    "web.cycle_review": {"cycle_id": "review_cycle"},
    "web.cycle_result": {"cycle_id": "cycle", "org_id": "org"},
    "web.cycle_manual": {
        "cycle_id": "review_cycle",
        "org_id": "manual.org",
        "indicator_key": "manual_indicator",
    },
    "web.cycle_adjustment_add": _REVIEW,
    "web.cycle_adjustment_delete": {**_REVIEW, "adjustment_id": "adjustment"},
    "web.cycle_veto": _REVIEW,
    "web.cycle_veto_clear": _REVIEW,
    "web.job_page": {"job_id": "job"},
    "web.job_status": {"job_id": "job"},
    "web.imports_result": {"job_id": "job"},
    "web.member_page": {"member_id": "member"},
    "web.member_card": {"member_id": "member"},
    "web.member_card_png": {"member_id": "member"},
    "web.org_page": _ORG,
    "web.problem_page": _PROBLEM,
    "web.problem_start": _PROBLEM,
    "web.problem_submit": _PROBLEM,
    "web.problem_approve": _PROBLEM,
    "web.problem_reject": _PROBLEM,
    "web.problem_reopen": _PROBLEM,
    "web.problem_evidence": _PROBLEM,
    "web.problem_evidence_file": {"problem_id": "problem", "evidence_id": "evidence"},
    "web.problem_evidence_delete": {"problem_id": "problem", "evidence_id": "evidence"},
    "web.problem_edit": _PROBLEM,
    # secretaries' reviews: the demo's review of this year (rating), the home village's entry
    "web.review_cycle": _SEC_REVIEW,
    "web.review_advance": _SEC_REVIEW,
    "web.review_publish": _SEC_REVIEW,
    "web.review_entry": _SEC_ENTRY,
    "web.review_report": _SEC_ENTRY,
    "web.review_item_add": _SEC_ENTRY,
    "web.review_rate": _SEC_ENTRY,
    "web.review_attachment_add": _SEC_ENTRY,
    "web.review_item_outcome": _SEC_ITEM,
    "web.review_item_delete": _SEC_ITEM,
    "web.review_attachment": _SEC_FILE,
    "web.review_attachment_delete": _SEC_FILE,
    "web.member_archive": {"member_id": "member"},
    "web.member_archive_upload": {"member_id": "member"},
    "web.member_archive_file": _ARCHIVE_DOC,
    "web.member_archive_edit": _ARCHIVE_DOC,
    "web.member_archive_remove": _ARCHIVE_DOC,
    "web.member_archive_person": {"person_id": "person"},
    "web.member_archive_person_upload": {"person_id": "person"},
    "web.member_archive_person_file": _PERSON_DOC,
    "web.member_archive_person_edit": _PERSON_DOC,
    "web.member_archive_person_remove": _PERSON_DOC,
    "web.warning_page": {"warning_id": "warning"},
    "web.warning_acknowledge": {"warning_id": "warning"},
    "web.problem_from_warning": {"warning_id": "warning"},
    "web.work_development": _ORG,
    "web.work_person": {"person_id": "person"},
    "web.work_dues": _ORG,
    "web.work_org_page": _ORG,
    "web.work_meeting_list": _ORG,
    "web.work_meeting_new": _ORG,
    "web.work_meeting": {"meeting_id": "meeting"},
    "web.work_sector": _ORG,
    "web.work_unit": {"org_id": "unit.org", "unit_id": "unit"},
    "web.pairing_page": {"pairing_id": "pairing"},
    "web.pairing_edit": {"pairing_id": "pairing"},
    "web.pairing_dissolve": {"pairing_id": "spare_pairing"},
    "web.pairing_task_add": {"pairing_id": "pairing"},
    "web.pairing_task_update": {"pairing_id": "pairing_task.pairing", "task_id": "pairing_task"},
    "web.pairing_activity_add": {"pairing_id": "pairing"},
    "web.pairing_activity_delete": {"pairing_id": "pairing_activity.pairing", "activity_id": "pairing_activity"},
}

SAME_NAME_KINDS = {
    "plugin_name": "a sector plugin's name: enabled per city, the same name in each",
    "toggle": "enable or disable",
    "warning_rule": "a built-in warning rule's key",
    "version_number": "a standard's first version (the standard's id says whose)",
    "manual_indicator": "a built-in manual indicator's key",
}

# Rules of the app that are neither an API route of the OpenAPI document nor a page of the web
# blueprint: all public on purpose (their content is the same for every city).
OTHER_PUBLIC = {
    "static": "the app's static files (CSS, JS)",
    "web.static": "the web pages' static files",
    "api-docs.openapi_json": "the OpenAPI document: routes and schemas, no data",
    "api_docs.index": "the interactive API docs page, served from the app",
    "api_docs.static": "the API docs' own static files",
    "api_docs.vendor": "the API docs' vendored Swagger UI files",
}

PUBLIC = {
    "GET web.login": "the login form",
    "POST web.login": "logging in",
    "POST web.logout": "logging out ends the session the cookie names; without one it only "
    "sends the browser to the login form",
}

# query arguments that name a record, by page
QUERY_KINDS: dict[str, dict[str, str]] = {
    "web.brand_list": {"org": "org"},
    "web.brand_new": {"org": "org"},
    "web.brand_sites": {"org": "org"},
    "web.brand_site_new": {"org": "org"},
    "web.brand_coverage": {"org": "org"},
    "web.problem_list": {"org": "org"},
    "web.member_archive_overview": {"org": "org"},
    "web.problem_new": {"org": "org"},
    "web.warning_list": {"org": "org"},
    "web.cycle_page": {"org": "org"},
    "web.ranking": {"cycle": "cycle"},
    "web.statistics": {"org": "org"},
    "web.statistics_drill": {"org": "org"},
    "web.statistics_export": {"org": "org"},
    "web.yearly": {"org": "org"},
    "web.pairing_list": {"org": "org"},
    "web.pairing_figures": {"org": "org"},
    "web.admin_indicator_new": {"standard": "standard"},
    "web.admin_user": {"org_code": "code"},
}

_DAY = (date.today() - timedelta(days=2)).isoformat()

FORMS: dict[str, dict] = {
    # forms that name other records: by id or by an organisation's code
    "POST web.problem_new": {
        "org_code": "@code",
        "source": "self",
        "category": "组织建设",
        "title": "{mark}网页问题",
        "severity": "general",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    },
    "POST web.admin_user_grant": {"role": "branch_secretary", "org_code": "@code"},
    "POST web.admin_user_member": {"member_id": "@member"},
    "POST web.review_open": {"org_code": "@code", "year": str(date.today().year)},
    "POST web.review_report": {"report": "{mark}网页述职", "action": "save"},
    "POST web.review_item_add": {"kind": "next", "title": "{mark}网页承诺"},
    "POST web.review_rate": {"version": "0", "rating": "good"},
    "POST web.cycle_list": {
        "name": "{mark}网页考核",
        "period": "half",
        "year": str(date.today().year),
        "part": "2",
        "root_org_id": "@root",
    },
    "POST web.work_dues": {"pay": "@member", "channel": "cash", "paid_on": _DAY},
    # pairing: the demo codes are the same in every city (organs committee, 李家村)
    "POST web.pairing_new": {"org_code": "SZ-JG", "partner_code": "SZ-QS-TY-02", "goals": "{mark}网页结对"},
    "POST web.pairing_edit": {"edit-started_on": (date.today() - timedelta(days=30)).isoformat(),
                              "edit-goals": "{mark}网页共建目标"},
    "POST web.pairing_dissolve": {"dissolve-end_reason": "{mark}网页解除"},
    "POST web.pairing_task_add": {"task-title": "{mark}网页任务"},
    "POST web.pairing_activity_add": {"activity-held_on": _DAY, "activity-kind": "visit",
                                      "activity-topic": "{mark}网页活动"},
    # brands: a brand and an application for the empty branch (it has neither)
    "POST web.brand_new": {"org_code": "@code", "name": "{mark}网页品牌", "parent": ""},
    "POST web.brand_site_new": {
        "org_code": "@code", "level": "model_site", "year": str(date.today().year),
        **{f"answer_{n}": "{mark}做法" for n in range(5)},
    },
    "POST web.brand_edit": {"name": "{mark}品牌改名", "parent": ""},
    "POST web.brand_case_add": {"title": "{mark}个案", "happened_on": _DAY, "text": "{mark}经过"},
    "POST web.brand_site_refuse": {"refuse-reason": "{mark}不予通过"},
    "POST web.brand_site_objection": {"objection-text": "{mark}异议"},
    "POST web.brand_site_settle": {"settle-resolution": "{mark}核查"},
    "POST web.brand_site_review": {"review-passed": "yes", "review-comment": "{mark}复核"},
    "POST web.brand_site_withdraw": {"withdraw-reason": "{mark}撤销"},
    "POST web.brand_sites_open_reviews": {"year": str(date.today().year)},
    # forms whose fields the refusal or the positive check needs
    "POST web.admin_user_active": {"active": "1"},
    "POST web.admin_user_password": {"password": "Passw0rd!x-web"},
    "POST web.problem_evidence": {"evidence-text": "{mark}网页材料"},
    # a valid form, so what refuses a lower role is the role, not a missing reason
    "POST web.problem_reject": {"reject-reason": "{mark}退回"},
    "POST web.problem_reopen": {"reopen-reason": "{mark}重新整改"},
    "POST web.member_archive_upload": {"doc_type": "application", "title": "{mark}网页档案", "dated_on": _DAY},
    "POST web.member_archive_person_upload": {"doc_type": "application", "title": "{mark}网页档案", "dated_on": _DAY},
    "POST web.member_archive_edit": {"doc_type": "other", "title": "{mark}网页更正", "dated_on": _DAY},
    "POST web.member_archive_person_edit": {"doc_type": "other", "title": "{mark}网页更正", "dated_on": _DAY},
    "POST web.member_archive_remove": {"reason": "{mark}网页误传"},
    "POST web.member_archive_person_remove": {"reason": "{mark}网页误传"},
}

_ADMIN, _MANAGER, _SECRETARY = "tenant_admin", "org_manager", "branch_secretary"
_ADMIN_PAGES = (
    "admin",
    "admin_audit",
    "admin_partners",
    "admin_partner",
    "admin_partner_key",
    "admin_partner_new",
    "admin_partner_offer_new",
    "admin_partner_offer",
    "admin_plugins",
    "admin_plugin_toggle",
    "admin_plugin_settings",
    "admin_point_rules",
    "admin_point_rule_new",
    "admin_point_rule",
    "admin_point_rule_reset",
    "admin_standards",
    "admin_standard",
    "admin_standard_versions",
    "admin_standard_version",
    "admin_indicator_new",
    "admin_stars",
    "admin_users",
    "admin_user",
    "admin_user_grant",
    "admin_user_revoke",
    "admin_user_member",
    "admin_user_password",
    "admin_user_unlock",
    "admin_user_active",
    "admin_warning_rules",
    "admin_warning_rule_toggle",
    "admin_warning_rule",
    "admin_warning_sweep",
)
_SECRETARY_PAGES = (
    "imports",
    "member_list",
    "member_card",
    "member_card_png",
    "problem_list",
    "problem_page",
    "problem_new",
    "problem_start",
    "problem_submit",
    "problem_evidence",
    "problem_evidence_file",
    "problem_evidence_delete",
    "warning_list",
    "warning_page",
    "warning_acknowledge",
    "work",
    "work_org_page",
    "work_development",
    "work_person",
    "work_dues",
    "work_meeting_list",
    "work_meeting_new",
    "work_meeting",
    "work_sector",
    "work_unit",
)
# member archives: confidential, kept by the branch secretary
_ARCHIVE_PAGES = (
    "member_archive",
    "member_archive_upload",
    "member_archive_file",
    "member_archive_edit",
    "member_archive_remove",
    "member_archive_person",
    "member_archive_person_upload",
    "member_archive_person_file",
    "member_archive_person_edit",
    "member_archive_person_remove",
    "member_archive_overview",
)
_MANAGER_PAGES = (
    "cycle_review",
    "cycle_run",
    "cycle_publish",
    "cycle_reopen",
    "cycle_manual",
    "cycle_adjustment_add",
    "cycle_adjustment_delete",
    "cycle_veto",
    "cycle_veto_clear",
    "problem_edit",
    "problem_approve",
    "problem_reject",
    "problem_reopen",
    "problem_from_warning",
)
# pairing: branch secretaries and above (each page checks the pairing's sides)
_PAIRING_PAGES = (
    "pairing_list",
    "pairing_new",
    "pairing_page",
    "pairing_edit",
    "pairing_dissolve",
    "pairing_task_add",
    "pairing_task_update",
    "pairing_activity_add",
    "pairing_activity_delete",
    "pairing_figures",
)


def _both(names, role) -> dict[str, str]:
    return {f"{method} web.{name}": role for name in names for method in ("GET", "POST")}


# keys of pages that have no such method are ignored (the table lists each view once)
MIN_ROLE: dict[str, str] = {
    **_both(_ADMIN_PAGES, _ADMIN),
    **_both(_SECRETARY_PAGES, _SECRETARY),
    **_both(_MANAGER_PAGES, _MANAGER),
    **_both(_PAIRING_PAGES, _SECRETARY),
    **_both(_ARCHIVE_PAGES, _SECRETARY),
    "POST web.cycle_list": _MANAGER,  # opening a cycle; the list itself is for everyone
    # secretaries' reviews: run by the higher level, written by the secretary, rated by anyone
    # of the organisation (the member account is a member of the home village)
    "POST web.review_open": _MANAGER,
    "POST web.review_advance": _MANAGER,
    "POST web.review_publish": _MANAGER,
    "POST web.review_report": _SECRETARY,
    "POST web.review_item_add": _SECRETARY,
    "POST web.review_item_outcome": _SECRETARY,
    "POST web.review_item_delete": _SECRETARY,
    "POST web.review_attachment_add": _SECRETARY,
    "POST web.review_attachment_delete": _SECRETARY,
    # brands: written by the organisation's secretary, decided by the level above
    **_both(("brand_new", "brand_edit", "brand_case_add", "brand_case_delete", "brand_site_new"), _SECRETARY),
    **_both(("brand_site_pass", "brand_site_refuse", "brand_site_objection", "brand_site_settle",
             "brand_site_award", "brand_site_review", "brand_site_withdraw", "brand_sites_open_reviews"),
            _MANAGER),
    # jobs are their starter's (or a tenant administrator's): anyone else gets 404
    "GET web.job_page": _ADMIN,
    "GET web.job_status": _ADMIN,
    "GET web.imports_result": _ADMIN,
    "GET web.tenant_switch": "platform_operator",
    "POST web.tenant_switch": "platform_operator",
}

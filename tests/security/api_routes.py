"""What the isolation tests must know about each API route, in explicit tables.

The routes themselves come from the OpenAPI document at test time; these tables only say,
for each one, where its ids come from and what it needs. A route missing from a table makes
:func:`tests.security.test_isolation_api.test_every_route_is_known` fail, so a new route
cannot slip through untested: add it here.

* :data:`PATH_KINDS` — each path parameter and the kind of record (a key of
  :attr:`tests.security.world.City.ids`) whose id it takes. Nested routes name coherent
  kinds (``unit.org`` is the organisation the ``unit`` belongs to).
* :data:`SAME_NAME_KINDS` — kinds that are names every city shares (a built-in rule's key),
  not records: they cannot point into another city, so a route addressed only by them acts
  on the caller's own city.
* :data:`PUBLIC` — routes that answer without a login on purpose, with the reason.
* :data:`BODIES` — a valid body for every write (and required query arguments), so the route
  gets past validation to the ids: ``"@kind"`` is replaced by the id of that kind in the
  city the test aims at, ``{mark}`` by that city's mark. :data:`FROM_GET` means "what GET of
  the same path answers" (settings that are replaced whole).
* :data:`MIN_ROLE` — the least role that may use the route on a record of its own city
  (see ``core/auth/permissions.py``); every lower role must be refused. A route not listed
  is open to every logged-in role (``member``).
"""

from __future__ import annotations

from datetime import date, timedelta

from core.assessment.settings import DEFAULT_VETO_REASONS
from core.brands.settings import CRITERIA as BRAND_CRITERIA
from core.members.idcard import check_char

TODAY = date.today()
YEAR = TODAY.year
DAY = (TODAY - timedelta(days=2)).isoformat()
MONTH = f"{TODAY:%Y-%m}"
FROM_GET = object()


def _id_number(first17: str) -> str:
    return first17 + check_char(first17)


NEW_MEMBER_ID = _id_number("11010119850304008")
NEW_APPLICANT_ID = _id_number("11010120010101001")

# -- path parameters ---------------------------------------------------------------------------

_ORG = {"org_id": "org"}
_SPARE = {"org_id": "spare_org"}  # structural changes are tried on an empty branch
_MEMBER = {"member_id": "member"}
_PERSON = {"person_id": "person"}
_MEETING = {"meeting_id": "meeting"}
_STANDARD = {"standard_id": "standard"}
_CYCLE = {"cycle_id": "cycle"}  # the demo's published star rating
_REVIEW = {"cycle_id": "review_cycle", "org_id": "org"}  # a cycle under review, its home result
_ENTRY = {"entry_id": "entry"}
_PROBLEM = {"problem_id": "problem"}
_DESIGNATION = {"designation_id": "designation"}
_SITE = {"site_id": "model_site"}  # the home village's awarded model site
_ARCHIVE_DOC = {"member_id": "member", "document_id": "archive_document"}
_PAIRING = {"pairing_id": "pairing"}
_PERSON_DOC = {"person_id": "person", "document_id": "person_archive_document"}

PATH_KINDS: dict[str, dict[str, str]] = {
    "/users/{user_id}": {"user_id": "user"},
    "/users/{user_id}/grants": {"user_id": "user"},
    "/orgs/{org_id}": _ORG,
    "/orgs/{org_id}/tree": _ORG,
    "/orgs/{org_id}/stats": _ORG,
    "/orgs/{org_id}/move": _SPARE,
    "/orgs/{org_id}/merge": _SPARE,
    "/orgs/{org_id}/dissolve": _SPARE,
    "/orgs/{org_id}/units": _ORG,
    "/orgs/{org_id}/units/{unit_id}": {"org_id": "unit.org", "unit_id": "unit"},
    "/orgs/{org_id}/posts": _ORG,
    "/orgs/{org_id}/posts/{post_id}/end": {"org_id": "post.org", "post_id": "post"},
    "/members/{member_id}": _MEMBER,
    "/members/{member_id}/status": _MEMBER,
    "/members/{member_id}/move": _MEMBER,
    "/members/{member_id}/history": _MEMBER,
    "/jobs/{job_id}": {"job_id": "job"},
    "/transfers/{letter_id}": {"letter_id": "letter"},
    "/transfers/{letter_id}/cancel": {"letter_id": "letter"},
    "/transfers/incoming/{code}/accept": {"code": "transfer_code"},
    "/transfers/incoming/{code}/refuse": {"code": "transfer_code"},
    "/development/violations/{step_id}/review": {"step_id": "step"},
    "/development/{person_id}": _PERSON,
    "/development/{person_id}/steps": _PERSON,
    "/development/{person_id}/extension": _PERSON,
    "/development/{person_id}/status": _PERSON,
    "/dues/bases/{member_id}": _MEMBER,
    "/dues/finance-roles/{role_id}/end": {"role_id": "finance_role"},
    "/warnings/{warning_id}": {"warning_id": "warning"},
    "/warnings/{warning_id}/acknowledge": {"warning_id": "warning"},
    "/warnings/rules/{key}": {"key": "warning_rule"},
    "/meetings/{meeting_id}": _MEETING,
    "/meetings/{meeting_id}/attendance": _MEETING,
    "/meetings/{meeting_id}/attachments": _MEETING,
    "/meetings/{meeting_id}/attachments/{attachment_id}": {
        "meeting_id": "meeting",
        "attachment_id": "attachment",
    },
    "/indicators/custom/{key}": {"key": "custom_indicator"},
    "/indicators/{key}": {"key": "indicator"},
    "/standards/{standard_id}": _STANDARD,
    "/standards/{standard_id}/versions": _STANDARD,
    "/standards/{standard_id}/versions/{number}": {
        "standard_id": "standard",
        "number": "version_number",
    },
    "/standards/{standard_id}/preview": _STANDARD,
    "/cycles/{cycle_id}": _CYCLE,
    "/cycles/{cycle_id}/run": {"cycle_id": "review_cycle"},
    "/cycles/{cycle_id}/publish": {"cycle_id": "review_cycle"},
    "/cycles/{cycle_id}/reopen": _CYCLE,
    "/cycles/{cycle_id}/results": _CYCLE,
    "/cycles/{cycle_id}/results/{org_id}": {"cycle_id": "cycle", "org_id": "org"},
    "/cycles/{cycle_id}/results/{org_id}/manual/{indicator_key}": {
        "cycle_id": "review_cycle",
        "org_id": "manual.org",
        "indicator_key": "manual_indicator",
    },
    "/cycles/{cycle_id}/results/{org_id}/adjustments": _REVIEW,
    "/cycles/{cycle_id}/results/{org_id}/adjustments/{adjustment_id}": {
        **_REVIEW,
        "adjustment_id": "adjustment",
    },
    "/cycles/{cycle_id}/results/{org_id}/veto": _REVIEW,
    "/cycles/{cycle_id}/members": _CYCLE,
    "/points/rules/{key}": {"key": "point_rule"},
    "/points/entries/{entry_id}": _ENTRY,
    "/points/entries/{entry_id}/approve": _ENTRY,
    "/points/entries/{entry_id}/reject": _ENTRY,
    "/points/entries/{entry_id}/attachment": _ENTRY,
    "/points/members/{member_id}": _MEMBER,
    "/points/members/{member_id}/card": _MEMBER,
    "/points/members/{member_id}/card.png": _MEMBER,
    "/points/partners/{partner_id}": {"partner_id": "partner"},
    "/points/partners/{partner_id}/key": {"partner_id": "partner"},
    "/points/offers/{offer_id}": {"offer_id": "offer"},
    "/points/redemptions/code/{code}": {"code": "redemption_code"},
    "/points/redemptions/code/{code}/use": {"code": "redemption_code"},
    "/cards/{token}": {"token": "card_token"},
    "/problems/from-warning/{warning_id}": {"warning_id": "warning"},
    "/problems/{problem_id}": _PROBLEM,
    "/problems/{problem_id}/start": _PROBLEM,
    "/problems/{problem_id}/submit": _PROBLEM,
    "/problems/{problem_id}/approve": _PROBLEM,
    "/problems/{problem_id}/reject": _PROBLEM,
    "/problems/{problem_id}/reopen": _PROBLEM,
    "/problems/{problem_id}/evidence": _PROBLEM,
    "/problems/{problem_id}/evidence/{evidence_id}": {
        "problem_id": "problem",
        "evidence_id": "evidence",
    },
    "/problems/weak-orgs/{designation_id}": _DESIGNATION,
    "/problems/weak-orgs/{designation_id}/start": _DESIGNATION,
    "/problems/weak-orgs/{designation_id}/delist": _DESIGNATION,
    # member archives
    "/members/{member_id}/archive": _MEMBER,
    "/members/{member_id}/archive/{document_id}": _ARCHIVE_DOC,
    "/members/{member_id}/archive/{document_id}/file": _ARCHIVE_DOC,
    "/members/{member_id}/archive/{document_id}/remove": _ARCHIVE_DOC,
    "/development/{person_id}/archive": _PERSON,
    "/development/{person_id}/archive/{document_id}": _PERSON_DOC,
    "/development/{person_id}/archive/{document_id}/file": _PERSON_DOC,
    "/development/{person_id}/archive/{document_id}/remove": _PERSON_DOC,
    # brand library and model sites
    "/brands/{brand_id}": {"brand_id": "library_brand"},
    "/brands/{brand_id}/cases": {"brand_id": "library_brand"},
    "/brands/{brand_id}/cases/{case_id}": {"brand_id": "brand_case.brand", "case_id": "brand_case"},
    "/brands/model-sites/history/{org_id}": _ORG,
    "/brands/model-sites/{site_id}": _SITE,
    "/brands/model-sites/{site_id}/pass": _SITE,
    "/brands/model-sites/{site_id}/refuse": _SITE,
    "/brands/model-sites/{site_id}/objections": _SITE,
    "/brands/model-sites/{site_id}/objections/{objection_id}/settle": {
        "site_id": "site_objection.site",
        "objection_id": "site_objection",
    },
    "/brands/model-sites/{site_id}/award": _SITE,
    "/brands/model-sites/{site_id}/review": _SITE,
    "/brands/model-sites/{site_id}/withdraw": _SITE,
    # sector plugins
    "/community/grids/{grid_id}": {"grid_id": "grid"},
    "/community/property-companies/{company_id}": {"company_id": "company"},
    "/community/registrations/{registration_id}": {"registration_id": "registration"},
    "/community/registrations/{registration_id}/services": {"registration_id": "registration"},
    "/community/services/{service_id}": {"service_id": "service"},
    "/organs/brands/{brand_id}": {"brand_id": "brand"},
    "/organs/brands/{brand_id}/milestones": {"brand_id": "brand"},
    "/organs/brands/{brand_id}/milestones/{milestone_id}": {
        "brand_id": "milestone.brand",
        "milestone_id": "milestone",
    },
    "/organs/model-assessments/{assessment_id}": {"assessment_id": "assessment"},
    "/organs/business-goals/{goal_id}": {"goal_id": "goal"},
    "/rural/incomes/{income_id}": {"income_id": "income"},
    "/rural/stationings/{stationing_id}": {"stationing_id": "stationing"},
    "/rural/duties/{duty_id}": {"duty_id": "duty"},
    "/rural/mobile-contacts/{contact_id}": {"contact_id": "contact"},
    "/soe/decisions/{decision_id}": {"decision_id": "decision"},
    "/soe/appointments/{appointment_id}": {"appointment_id": "appointment"},
    "/soe/performance-links/{link_id}": {"link_id": "link"},
    "/soe/vanguard-posts/{post_id}": {"post_id": "vanguard_post"},
    "/soe/innovations/{innovation_id}": {"innovation_id": "innovation"},
    "/two_new/units/{unit_id}": {"unit_id": "tn_unit"},
    "/two_new/instructors/{instructor_id}": {"instructor_id": "instructor"},
    "/two_new/groups/{group_id}": {"group_id": "tn_group"},
    # pairing (双联结对共建); the spare pairing is the one dissolved
    "/pairings/{pairing_id}": _PAIRING,
    "/pairings/{pairing_id}/dissolve": {"pairing_id": "spare_pairing"},
    "/pairings/{pairing_id}/tasks": _PAIRING,
    "/pairings/{pairing_id}/tasks/{task_id}": {"pairing_id": "pairing_task.pairing", "task_id": "pairing_task"},
    "/pairings/{pairing_id}/activities": _PAIRING,
    "/pairings/{pairing_id}/activities/{activity_id}": {
        "pairing_id": "pairing_activity.pairing",
        "activity_id": "pairing_activity",
    },
}

# Names that are the same in every city, with their value (they are not records of a city).
SAME_NAME_KINDS = {
    "warning_rule": "dues.unpaid_3_months",  # a built-in warning rule's key
    "version_number": "1",  # a standard's first version (the standard's id says whose)
    "manual_indicator": None,  # a built-in manual indicator: the world finds its key
}

# Query arguments a GET requires (``@kind`` as in BODIES).
QUERIES: dict[str, dict] = {
    "GET /warnings/ranking": {"period_start": f"{YEAR}-01-01", "period_end": TODAY.isoformat()},
    "GET /meetings/attendance": {"from": f"{YEAR}-01-01", "to": TODAY.isoformat()},
    "GET /points/ranking": {"org": "@org"},
    "GET /community/overview": {"org_id": "@grid.org"},
    "GET /two_new/coverage": {"org": "@tn_unit.org"},
    "GET /statistics": {"org_id": "@org", "year": YEAR},
    "GET /statistics/export.xlsx": {"org_id": "@org", "year": YEAR},
    "GET /archives/completeness": {"org_id": "@org"},
    "GET /statistics/drill": {
        "org_id": "@org", "year": YEAR, "table": "gender", "row": "total", "column": "total",
    },
}

# Query arguments that name a record: filled with the aimed-at city's id of that kind.
QUERY_KINDS = {
    "org_id": "org",
    "subtree_of": "org",
    "org": "org",
    "parent": "org",
    "member_id": "member",
    "designation_id": "designation",
    "grid_id": "grid",
    "partner_id": "partner",
    "parent_id": "library_brand",  # /brands?parent_id=: the sub-brands of a brand
}

# Answer without a login on purpose.
PUBLIC = {
    "POST /auth/token": "logging in: exchanges a username and password for a token",
    "GET /cards/{token}": "a member's QR card, opened by scanning: the signed token is the key; "
    "only a masked name, the branch and the points are shown",
    "GET /points/redemptions/code/{code}": "a merchant checks a code with its partner key "
    "(X-Partner-Key) instead of a login",
    "POST /points/redemptions/code/{code}/use": "a merchant marks a code used with its partner key",
}

# -- bodies ----------------------------------------------------------------------------------

_FILE = "file:pdf"  # a multipart PDF upload
_TEMPLATE = "file:template"  # the member import template (.xlsx)

BODIES: dict[str, dict] = {
    "POST /auth/token": {"username": "iso_member", "password": "Passw0rd!x"},
    "POST /auth/revoke": {},
    "POST /users": {"username": "iso_created", "password": "Passw0rd!x-new"},
    "PATCH /users/{user_id}": {"member_id": "@member"},
    "POST /users/{user_id}/grants": {"role": "branch_secretary", "org_id": "@org"},
    "POST /orgs": {
        "name": "{mark}新支部",
        "code": "ISO-NEW",
        "kind": "branch",
        "parent_id": "@org",
    },
    "PATCH /orgs/{org_id}": {"contact": "{mark}联系人"},
    "POST /orgs/{org_id}/move": {"parent_id": "@neighbour"},
    "POST /orgs/{org_id}/merge": {"target_id": "@neighbour", "reason": "{mark}合并"},
    "POST /orgs/{org_id}/dissolve": {"reason": "{mark}撤销"},
    "POST /orgs/{org_id}/units": {"name": "{mark}新单位", "unit_type": "village"},
    "PATCH /orgs/{org_id}/units/{unit_id}": {"name": "{mark}改名单位"},
    "DELETE /orgs/{org_id}/units/{unit_id}": {},
    "POST /orgs/{org_id}/posts": {
        "post": "deputy_secretary",
        "person_name": "{mark}副书记",
        "started_on": DAY,
    },
    "POST /orgs/{org_id}/posts/{post_id}/end": {"ended_on": DAY, "reason": "{mark}届满"},
    "POST /members": {
        "org_id": "@org",
        "name": "{mark}新党员",
        "ethnicity": "汉族",
        "gender": "female",
        "id_number": NEW_MEMBER_ID,
        "joined_on": "2010-07-01",
        "full_on": "2011-07-01",
    },
    "PATCH /members/{member_id}": {"address": "{mark}地址", "version": 1},
    "POST /members/{member_id}/status": {
        "status": "mobile",
        "on": DAY,
        "reason": "外出务工经商",
        "mobile_destination": "{mark}外地",
    },
    "POST /members/{member_id}/move": {"org_id": "@neighbour", "on": DAY, "reason": "{mark}调动"},
    "POST /imports/members": {"file": _TEMPLATE},
    "POST /transfers": {"member_id": "@member", "to_org_id": "@neighbour", "reason": "{mark}转出"},
    "POST /transfers/{letter_id}/cancel": {},
    "POST /transfers/incoming/{code}/accept": {"org_id": "@neighbour"},
    "POST /transfers/incoming/{code}/refuse": {"reason": "{mark}不予接收"},
    "POST /development": {
        "org_id": "@org",
        "name": "{mark}新申请人",
        "ethnicity": "汉族",
        "id_number": NEW_APPLICANT_ID,
        "applied_on": DAY,
    },
    "PUT /development/settings": {},
    "POST /development/violations/{step_id}/review": {"note": "{mark}已核查"},
    "POST /development/{person_id}/steps": {"code": 3, "done_on": DAY},
    "POST /development/{person_id}/extension": {"months": 6, "on": DAY, "reason": "{mark}延长"},
    "POST /development/{person_id}/status": {"status": "stopped", "reason": "{mark}中止"},
    "PUT /dues/rates": {},
    "PUT /dues/bases/{member_id}": {"effective_from": MONTH, "base": 4800},
    "POST /dues/payments": {"member_id": "@member", "month": MONTH, "channel": "cash"},
    # 李家村 has no finance roles yet (the demo gives none to its less diligent branches)
    "POST /dues/finance-roles": {
        "org_id": "@neighbour",
        "role": "accountant",
        "person_name": "{mark}会计",
    },
    "POST /dues/finance-roles/{role_id}/end": {"until": DAY},
    "POST /warnings/{warning_id}/acknowledge": {"note": "{mark}已知悉"},
    "POST /warnings/sweep": {},
    "PATCH /warnings/rules/{key}": {"enabled": True},
    "POST /meetings": {
        "kind": "party_lecture",
        "org_id": "@org",
        "held_on": DAY,
        "topic": "{mark}党课",
        "present_member_ids": ["@member"],
    },
    "PATCH /meetings/{meeting_id}": {"location": "{mark}会议室"},
    "DELETE /meetings/{meeting_id}": {},
    "PUT /meetings/{meeting_id}/attendance": {"present_member_ids": ["@member"]},
    "POST /meetings/{meeting_id}/attachments": {"file": _FILE},
    # the empty branch has no term yet: a regular election fits any day
    "POST /elections": {"org_id": "@spare_org", "held_on": DAY, "notes": "{mark}选举"},
    "POST /indicators/custom": {
        "slug": "iso_created",
        "name": "{mark}指标",
        "scoring": "manual",
        "max_points": 3,
    },
    "PATCH /indicators/custom/{key}": {"description": "{mark}说明"},
    "POST /standards": {"copy_of": "@standard", "name": "{mark}标准副本"},
    "PUT /standards/{standard_id}": {"description": "{mark}说明"},
    "POST /standards/{standard_id}/preview": {"items": []},
    "POST /cycles": {
        "name": "{mark}半年考核",
        "period": "half",
        "year": YEAR,
        "part": 2,
        "root_org_id": "@root",
    },
    "PUT /cycles/settings": FROM_GET,
    "POST /cycles/{cycle_id}/run": {},
    "POST /cycles/{cycle_id}/publish": {},
    "POST /cycles/{cycle_id}/reopen": {"reason": "{mark}复核"},
    "PUT /cycles/{cycle_id}/results/{org_id}/manual/{indicator_key}": {
        "points": 1,
        "reason": "{mark}评分",
    },
    "POST /cycles/{cycle_id}/results/{org_id}/adjustments": {"points": 1, "reason": "{mark}加分"},
    "DELETE /cycles/{cycle_id}/results/{org_id}/adjustments/{adjustment_id}": {},
    "PUT /cycles/{cycle_id}/results/{org_id}/veto": {
        "reason": DEFAULT_VETO_REASONS[0],
        "note": "{mark}",
    },
    "DELETE /cycles/{cycle_id}/results/{org_id}/veto": {},
    "POST /points/rules": {"key": "tenant.iso_created", "name": "{mark}规则", "points": 1},
    "PATCH /points/rules/{key}": {"description": "{mark}说明"},
    "POST /points/entries": {"member_id": "@member", "rule_key": "@point_rule", "occurred_on": DAY},
    "POST /points/entries/{entry_id}/approve": {},
    "POST /points/entries/{entry_id}/reject": {"reason": "{mark}不符"},
    "POST /points/entries/{entry_id}/attachment": {"file": _FILE},
    "POST /points/members/{member_id}/card": {},
    "DELETE /points/members/{member_id}/card": {},
    "POST /points/partners": {"name": "{mark}新商户"},
    "PATCH /points/partners/{partner_id}": {"address": "{mark}地址"},
    "POST /points/partners/{partner_id}/key": {},
    "POST /points/offers": {"partner_id": "@partner", "name": "{mark}新兑换品", "cost": 1},
    "PATCH /points/offers/{offer_id}": {"description": "{mark}说明"},
    "POST /points/redemptions": {"member_id": "@member", "offer_id": "@offer"},
    "POST /points/redemptions/code/{code}/use": {},
    "PUT /points/settings": FROM_GET,
    "POST /points/collect": {},
    "POST /problems": {
        "org_id": "@org",
        "source": "inspection",
        "category": "组织建设",
        "title": "{mark}新问题",
        "deadline": (TODAY + timedelta(days=30)).isoformat(),
    },
    "POST /problems/from-warning/{warning_id}": {"title": "{mark}预警转问题"},
    "PATCH /problems/{problem_id}": {"version": 1, "description": "{mark}补充"},
    "POST /problems/{problem_id}/start": {},
    "POST /problems/{problem_id}/submit": {"rectification": "{mark}已整改"},
    "POST /problems/{problem_id}/approve": {},
    "POST /problems/{problem_id}/reject": {"reason": "{mark}退回"},
    "POST /problems/{problem_id}/reopen": {"reason": "{mark}重新整改"},
    "POST /problems/{problem_id}/evidence": {"text": "{mark}材料", "file": _FILE},
    "DELETE /problems/{problem_id}/evidence/{evidence_id}": {},
    "POST /problems/weak-orgs": {"org_id": "@org", "year": YEAR, "reason_category": "班子不健全"},
    "PATCH /problems/weak-orgs/{designation_id}": {"version": 1, "description": "{mark}补充"},
    "POST /problems/weak-orgs/{designation_id}/start": {},
    "POST /problems/weak-orgs/{designation_id}/delist": {"comment": "{mark}销号"},
    "PUT /problems/settings": FROM_GET,
    # brands: created for 李家村 (no brand, no live application in the demo)
    "POST /brands": {"org_id": "@neighbour", "name": "{mark}品牌", "concept": "{mark}理念"},
    "PATCH /brands/{brand_id}": {"version": 1, "goals": "{mark}愿景"},
    "POST /brands/{brand_id}/cases": {"title": "{mark}个案", "happened_on": DAY, "text": "{mark}经过"},
    "PATCH /brands/{brand_id}/cases/{case_id}": {"version": 1, "title": "{mark}个案"},
    "DELETE /brands/{brand_id}/cases/{case_id}": {},
    "DELETE /brands/{brand_id}": {},
    "POST /brands/model-sites": {
        "org_id": "@neighbour", "level": "model_site", "statement": "{mark}事迹",
        "answers": {c: "{mark}做法" for c in BRAND_CRITERIA},
    },
    "PATCH /brands/model-sites/{site_id}": {"version": 1, "statement": "{mark}补充"},
    "POST /brands/model-sites/{site_id}/pass": {},
    "POST /brands/model-sites/{site_id}/refuse": {"reason": "{mark}不予通过"},
    "POST /brands/model-sites/{site_id}/objections": {"text": "{mark}异议"},
    "POST /brands/model-sites/{site_id}/objections/{objection_id}/settle": {
        "upheld": False, "resolution": "{mark}核查",
    },
    "POST /brands/model-sites/{site_id}/award": {},
    "POST /brands/model-sites/{site_id}/review": {"passed": True, "comment": "{mark}复核"},
    "POST /brands/model-sites/{site_id}/withdraw": {"reason": "{mark}撤销"},
    "POST /brands/model-sites/reviews": {"year": YEAR},
    "POST /brands/model-sites/reviews/lapse": {},
    "PUT /brands/settings": FROM_GET,
    "POST /members/{member_id}/archive": {
        "doc_type": "application", "title": "{mark}入党申请书", "dated_on": DAY, "file": _FILE,
    },
    "PATCH /members/{member_id}/archive/{document_id}": {"version": 1, "note": "{mark}补充"},
    "POST /members/{member_id}/archive/{document_id}/remove": {"reason": "{mark}误传"},
    "POST /development/{person_id}/archive": {
        "doc_type": "thought_report", "title": "{mark}思想汇报", "dated_on": DAY, "file": _FILE,
    },
    "PATCH /development/{person_id}/archive/{document_id}": {"version": 1, "note": "{mark}补充"},
    "POST /development/{person_id}/archive/{document_id}/remove": {"reason": "{mark}误传"},
    "PUT /archives/settings": FROM_GET,
    "POST /community/grids": {"org_id": "@grid.org", "name": "{mark}新网格"},
    "PATCH /community/grids/{grid_id}": {"note": "{mark}"},
    "DELETE /community/grids/{grid_id}": {},
    "POST /community/property-companies": {"org_id": "@company.org", "name": "{mark}物业公司"},
    "PATCH /community/property-companies/{company_id}": {"note": "{mark}"},
    "DELETE /community/property-companies/{company_id}": {},
    "POST /community/registrations": {
        "org_id": "@registration.org",
        "person_name": "{mark}报到人",
        "work_unit": "{mark}单位",
        "registered_on": DAY,
    },
    "PATCH /community/registrations/{registration_id}": {"note": "{mark}"},
    "DELETE /community/registrations/{registration_id}": {},
    "POST /community/registrations/{registration_id}/services": {
        "served_on": DAY,
        "activity": "{mark}服务",
    },
    "DELETE /community/services/{service_id}": {},
    "POST /organs/brands": {
        "org_id": "@organs_committee",
        "name": "{mark}品牌",
    },  # one per organisation
    "PATCH /organs/brands/{brand_id}": {"slogan": "{mark}"},
    "POST /organs/brands/{brand_id}/milestones": {"title": "{mark}节点", "due_on": DAY},
    "PATCH /organs/brands/{brand_id}/milestones/{milestone_id}": {"evidence": "{mark}"},
    "DELETE /organs/brands/{brand_id}/milestones/{milestone_id}": {},
    "POST /organs/model-assessments": {"org_id": "@assessment.org", "year": YEAR - 3},
    "PATCH /organs/model-assessments/{assessment_id}": {"note": "{mark}"},
    "POST /organs/business-goals": {
        "org_id": "@goal.org",
        "year": YEAR,
        "business_goal": "{mark}业务目标",
    },
    "PATCH /organs/business-goals/{goal_id}": {"result": "{mark}"},
    "DELETE /organs/business-goals/{goal_id}": {},
    "POST /pairings": {"org_id": "@organs_committee", "partner_org_id": "@neighbour", "goals": "{mark}共建"},
    "PATCH /pairings/{pairing_id}": {"goals": "{mark}共建目标"},
    "POST /pairings/{pairing_id}/dissolve": {"end_reason": "{mark}解除"},
    "POST /pairings/{pairing_id}/tasks": {"title": "{mark}共建任务"},
    "PATCH /pairings/{pairing_id}/tasks/{task_id}": {"result": "{mark}成效"},
    "DELETE /pairings/{pairing_id}/tasks/{task_id}": {},
    "POST /pairings/{pairing_id}/activities": {"held_on": DAY, "kind": "visit", "topic": "{mark}走访"},
    "PATCH /pairings/{pairing_id}/activities/{activity_id}": {"results": "{mark}成效"},
    "DELETE /pairings/{pairing_id}/activities/{activity_id}": {},
    "PUT /pairings/settings": FROM_GET,
    "POST /rural/incomes": {"org_id": "@income.org", "year": YEAR - 4, "operating_income_wan": 1.5},
    "PATCH /rural/incomes/{income_id}": {"note": "{mark}"},
    "DELETE /rural/incomes/{income_id}": {},
    "POST /rural/stationings": {
        "org_id": "@stationing.org",
        "person_name": "{mark}队员",
        "role": "team_member",
        "dispatched_by": "{mark}单位",
        "started_on": DAY,
    },
    "PATCH /rural/stationings/{stationing_id}": {"note": "{mark}"},
    "DELETE /rural/stationings/{stationing_id}": {},
    "POST /rural/duties": {
        "org_id": "@duty.org",
        "member_id": "@duty.member",
        "duty": "{mark}岗",
        "started_on": DAY,
    },
    "PATCH /rural/duties/{duty_id}": {"responsibilities": "{mark}"},
    "DELETE /rural/duties/{duty_id}": {},
    "POST /rural/mobile-contacts": {
        "org_id": "@contact.org",
        "member_id": "@contact.member",
        "contacted_on": DAY,
        "channel": "phone",
    },
    "PATCH /rural/mobile-contacts/{contact_id}": {"note": "{mark}"},
    "DELETE /rural/mobile-contacts/{contact_id}": {},
    "POST /soe/decisions": {
        "org_id": "@decision.org",
        "title": "{mark}决策",
        "category": "major_decision",
        "party_reviewed_on": DAY,
        "party_outcome": "agreed",
    },
    "PATCH /soe/decisions/{decision_id}": {"note": "{mark}"},
    "DELETE /soe/decisions/{decision_id}": {},
    "POST /soe/appointments": {
        "org_id": "@appointment.org",
        "person_name": "{mark}任职人",
        "party_post": "deputy_secretary",
        "started_on": DAY,
    },
    "PATCH /soe/appointments/{appointment_id}": {"note": "{mark}"},
    "DELETE /soe/appointments/{appointment_id}": {},
    "POST /soe/performance-links": {"org_id": "@link.org", "year": YEAR - 4, "link_weight_pct": 10},
    "PATCH /soe/performance-links/{link_id}": {"note": "{mark}"},
    "DELETE /soe/performance-links/{link_id}": {},
    "POST /soe/vanguard-posts": {
        "org_id": "@vanguard_post.org",
        "member_id": "@vanguard_post.member",
        "kind": "model_post",
        "name": "{mark}示范岗",
        "started_on": DAY,
    },
    "PATCH /soe/vanguard-posts/{post_id}": {"duty": "{mark}"},
    "DELETE /soe/vanguard-posts/{post_id}": {},
    "POST /soe/innovations": {
        "org_id": "@innovation.org",
        "title": "{mark}攻关",
        "kind": "suggestion",
        "achieved_on": DAY,
        "member_ids": ["@vanguard_post.member"],
    },
    "PATCH /soe/innovations/{innovation_id}": {"benefit": "{mark}"},
    "DELETE /soe/innovations/{innovation_id}": {},
    "POST /two_new/units": {"org_id": "@tn_unit.org", "name": "{mark}企业", "kind": "enterprise"},
    "PATCH /two_new/units/{unit_id}": {"notes": "{mark}"},
    "DELETE /two_new/units/{unit_id}": {},
    "POST /two_new/instructors": {
        "org_id": "@instructor.org",
        "person_name": "{mark}指导员",
        "started_on": DAY,
    },
    "PATCH /two_new/instructors/{instructor_id}": {"employer": "{mark}"},
    "DELETE /two_new/instructors/{instructor_id}": {},
    "POST /two_new/groups": {
        "org_id": "@tn_group.org",
        "kind": "courier",
        "name": "{mark}快递员",
        "workers": 10,
    },
    "PATCH /two_new/groups/{group_id}": {"notes": "{mark}"},
    "DELETE /two_new/groups/{group_id}": {},
}

# -- roles -----------------------------------------------------------------------------------

_ADMIN, _MANAGER, _SECRETARY = "tenant_admin", "org_manager", "branch_secretary"

MIN_ROLE: dict[str, str] = {
    # accounts, audit and the tenant's settings: tenant administrators
    "GET /users": _ADMIN,
    "POST /users": _ADMIN,
    "GET /users/{user_id}": _ADMIN,
    "PATCH /users/{user_id}": _ADMIN,
    "POST /users/{user_id}/grants": _ADMIN,
    "GET /audit": _ADMIN,
    "GET /jobs/{job_id}": _ADMIN,  # or the job's starter; anyone else gets 404 (hidden)
    "PUT /development/settings": _ADMIN,
    "PUT /dues/rates": _ADMIN,
    "POST /warnings/sweep": _ADMIN,
    "PATCH /warnings/rules/{key}": _ADMIN,
    "POST /indicators/custom": _ADMIN,
    "PATCH /indicators/custom/{key}": _ADMIN,
    "POST /standards": _ADMIN,
    "PUT /standards/{standard_id}": _ADMIN,
    "POST /standards/{standard_id}/preview": _ADMIN,
    "GET /cycles/settings": _ADMIN,
    "PUT /cycles/settings": _ADMIN,
    "POST /points/rules": _ADMIN,
    "PATCH /points/rules/{key}": _ADMIN,
    "GET /points/settings": _ADMIN,
    "PUT /points/settings": _ADMIN,
    "POST /points/collect": _ADMIN,
    "PUT /problems/settings": _ADMIN,
    "PUT /brands/settings": _ADMIN,
    "POST /brands/model-sites/reviews": _ADMIN,  # the whole city; a subtree (org_id): its manager
    "POST /brands/model-sites/reviews/lapse": _ADMIN,
    # the tree's shape: the organisation's manager (the parent's, for structural changes)
    "POST /orgs": _MANAGER,
    "POST /orgs/{org_id}/move": _MANAGER,
    "POST /orgs/{org_id}/merge": _MANAGER,
    "POST /orgs/{org_id}/dissolve": _MANAGER,
    "POST /orgs/{org_id}/units": _MANAGER,
    "PATCH /orgs/{org_id}/units/{unit_id}": _MANAGER,  # renaming; its attributes alone: secretary
    "DELETE /orgs/{org_id}/units/{unit_id}": _MANAGER,
    "POST /orgs/{org_id}/posts": _MANAGER,
    "POST /orgs/{org_id}/posts/{post_id}/end": _MANAGER,
    "PATCH /orgs/{org_id}": _SECRETARY,  # contact and sector data; the rest: manager
    # the register and daily work: the branch secretary
    "POST /members": _SECRETARY,
    "PATCH /members/{member_id}": _SECRETARY,
    "POST /members/{member_id}/status": _SECRETARY,
    "POST /members/{member_id}/move": _SECRETARY,
    "POST /imports/members": _SECRETARY,
    "GET /transfers": _SECRETARY,
    "POST /transfers": _SECRETARY,
    "GET /transfers/{letter_id}": _SECRETARY,
    "POST /transfers/{letter_id}/cancel": _SECRETARY,
    "GET /transfers/incoming": _MANAGER,
    "POST /transfers/incoming/{code}/accept": _SECRETARY,
    "POST /transfers/incoming/{code}/refuse": _SECRETARY,
    "POST /development": _SECRETARY,
    "POST /development/{person_id}/steps": _SECRETARY,
    "POST /development/{person_id}/extension": _SECRETARY,
    "POST /development/{person_id}/status": _SECRETARY,
    "POST /development/violations/{step_id}/review": _MANAGER,
    "GET /dues/bases/{member_id}": _SECRETARY,
    "PUT /dues/bases/{member_id}": _SECRETARY,
    "POST /dues/payments": _SECRETARY,
    "POST /dues/finance-roles": _SECRETARY,
    "POST /dues/finance-roles/{role_id}/end": _SECRETARY,
    "POST /warnings/{warning_id}/acknowledge": _SECRETARY,
    "POST /meetings": _SECRETARY,
    "PATCH /meetings/{meeting_id}": _SECRETARY,
    "DELETE /meetings/{meeting_id}": _SECRETARY,
    "PUT /meetings/{meeting_id}/attendance": _SECRETARY,
    "POST /meetings/{meeting_id}/attachments": _SECRETARY,
    "POST /elections": _SECRETARY,
    # assessment: the cycle root's manager
    "POST /cycles": _MANAGER,
    "POST /cycles/{cycle_id}/run": _MANAGER,
    "POST /cycles/{cycle_id}/publish": _MANAGER,
    "POST /cycles/{cycle_id}/reopen": _MANAGER,
    "PUT /cycles/{cycle_id}/results/{org_id}/manual/{indicator_key}": _MANAGER,
    "POST /cycles/{cycle_id}/results/{org_id}/adjustments": _MANAGER,
    "DELETE /cycles/{cycle_id}/results/{org_id}/adjustments/{adjustment_id}": _MANAGER,
    "PUT /cycles/{cycle_id}/results/{org_id}/veto": _MANAGER,
    "DELETE /cycles/{cycle_id}/results/{org_id}/veto": _MANAGER,
    # points: entries and cards by the secretary, partners and offers by a manager
    "GET /points/entries": _SECRETARY,
    "POST /points/entries": _SECRETARY,
    "GET /points/entries/{entry_id}": _SECRETARY,
    "POST /points/entries/{entry_id}/approve": _SECRETARY,
    "POST /points/entries/{entry_id}/reject": _SECRETARY,
    "POST /points/entries/{entry_id}/attachment": _SECRETARY,
    "GET /points/entries/{entry_id}/attachment": _SECRETARY,
    "POST /points/members/{member_id}/card": _SECRETARY,
    "GET /points/members/{member_id}/card": _SECRETARY,
    "DELETE /points/members/{member_id}/card": _SECRETARY,
    "GET /points/members/{member_id}/card.png": _SECRETARY,
    "POST /points/partners": _MANAGER,
    "PATCH /points/partners/{partner_id}": _MANAGER,
    "POST /points/partners/{partner_id}/key": _MANAGER,
    "POST /points/offers": _MANAGER,
    "PATCH /points/offers/{offer_id}": _MANAGER,
    "POST /points/redemptions": _SECRETARY,  # or the member for themself
    "GET /points/redemptions/code/{code}": _MANAGER,  # or the partner's key
    "POST /points/redemptions/code/{code}/use": _MANAGER,
    # problems: recorded and closed out by the level above, rectified by the secretary
    "POST /problems": _MANAGER,  # source inspection; a secretary records source "self"
    "POST /problems/from-warning/{warning_id}": _MANAGER,
    "PATCH /problems/{problem_id}": _MANAGER,
    "POST /problems/{problem_id}/start": _SECRETARY,
    "POST /problems/{problem_id}/submit": _SECRETARY,
    "POST /problems/{problem_id}/approve": _MANAGER,
    "POST /problems/{problem_id}/reject": _MANAGER,
    "POST /problems/{problem_id}/reopen": _MANAGER,
    "POST /problems/{problem_id}/evidence": _SECRETARY,
    "DELETE /problems/{problem_id}/evidence/{evidence_id}": _SECRETARY,
    "POST /problems/weak-orgs": _MANAGER,
    "PATCH /problems/weak-orgs/{designation_id}": _MANAGER,
    "POST /problems/weak-orgs/{designation_id}/start": _SECRETARY,
    "POST /problems/weak-orgs/{designation_id}/delist": _MANAGER,
    # brands: written by the organisation's secretary, decided by the level above
    "POST /brands": _SECRETARY,
    "PATCH /brands/{brand_id}": _SECRETARY,
    "DELETE /brands/{brand_id}": _SECRETARY,
    "POST /brands/{brand_id}/cases": _SECRETARY,
    "PATCH /brands/{brand_id}/cases/{case_id}": _SECRETARY,
    "DELETE /brands/{brand_id}/cases/{case_id}": _SECRETARY,
    "POST /brands/model-sites": _SECRETARY,
    "PATCH /brands/model-sites/{site_id}": _SECRETARY,
    "POST /brands/model-sites/{site_id}/pass": _MANAGER,
    "POST /brands/model-sites/{site_id}/refuse": _MANAGER,
    "POST /brands/model-sites/{site_id}/objections": _MANAGER,
    "POST /brands/model-sites/{site_id}/objections/{objection_id}/settle": _MANAGER,
    "POST /brands/model-sites/{site_id}/award": _MANAGER,
    "POST /brands/model-sites/{site_id}/review": _MANAGER,
    "POST /brands/model-sites/{site_id}/withdraw": _MANAGER,
    # member archives: confidential, kept by the branch secretary (or read by the member)
    "GET /members/{member_id}/archive": _SECRETARY,
    "POST /members/{member_id}/archive": _SECRETARY,
    "GET /members/{member_id}/archive/{document_id}": _SECRETARY,
    "PATCH /members/{member_id}/archive/{document_id}": _SECRETARY,
    "GET /members/{member_id}/archive/{document_id}/file": _SECRETARY,
    "POST /members/{member_id}/archive/{document_id}/remove": _SECRETARY,
    "GET /development/{person_id}/archive": _SECRETARY,
    "POST /development/{person_id}/archive": _SECRETARY,
    "GET /development/{person_id}/archive/{document_id}": _SECRETARY,
    "PATCH /development/{person_id}/archive/{document_id}": _SECRETARY,
    "GET /development/{person_id}/archive/{document_id}/file": _SECRETARY,
    "POST /development/{person_id}/archive/{document_id}/remove": _SECRETARY,
    "GET /archives/completeness": _SECRETARY,
    "PUT /archives/settings": _ADMIN,
    # sector records: the secretary keeps the branch's, a manager the ones above it
    "POST /community/grids": _SECRETARY,
    "PATCH /community/grids/{grid_id}": _SECRETARY,
    "DELETE /community/grids/{grid_id}": _SECRETARY,
    "POST /community/property-companies": _MANAGER,
    "PATCH /community/property-companies/{company_id}": _MANAGER,
    "DELETE /community/property-companies/{company_id}": _MANAGER,
    "POST /community/registrations": _SECRETARY,
    "PATCH /community/registrations/{registration_id}": _SECRETARY,
    "DELETE /community/registrations/{registration_id}": _SECRETARY,
    "POST /community/registrations/{registration_id}/services": _SECRETARY,
    "DELETE /community/services/{service_id}": _SECRETARY,
    "POST /organs/brands": _SECRETARY,
    "PATCH /organs/brands/{brand_id}": _SECRETARY,
    "POST /organs/brands/{brand_id}/milestones": _SECRETARY,
    "PATCH /organs/brands/{brand_id}/milestones/{milestone_id}": _SECRETARY,
    "DELETE /organs/brands/{brand_id}/milestones/{milestone_id}": _SECRETARY,
    "POST /organs/model-assessments": _SECRETARY,
    "PATCH /organs/model-assessments/{assessment_id}": _SECRETARY,
    "POST /organs/business-goals": _SECRETARY,
    "PATCH /organs/business-goals/{goal_id}": _SECRETARY,
    "DELETE /organs/business-goals/{goal_id}": _SECRETARY,
    # pairing: arranged and recorded by a branch secretary (of both sides / either side)
    "POST /pairings": _SECRETARY,
    "PATCH /pairings/{pairing_id}": _SECRETARY,
    "POST /pairings/{pairing_id}/dissolve": _SECRETARY,
    "POST /pairings/{pairing_id}/tasks": _SECRETARY,
    "PATCH /pairings/{pairing_id}/tasks/{task_id}": _SECRETARY,
    "DELETE /pairings/{pairing_id}/tasks/{task_id}": _SECRETARY,
    "POST /pairings/{pairing_id}/activities": _SECRETARY,
    "PATCH /pairings/{pairing_id}/activities/{activity_id}": _SECRETARY,
    "DELETE /pairings/{pairing_id}/activities/{activity_id}": _SECRETARY,
    "PUT /pairings/settings": _ADMIN,
    "POST /rural/incomes": _SECRETARY,
    "PATCH /rural/incomes/{income_id}": _SECRETARY,
    "DELETE /rural/incomes/{income_id}": _SECRETARY,
    "POST /rural/stationings": _MANAGER,
    "PATCH /rural/stationings/{stationing_id}": _MANAGER,
    "DELETE /rural/stationings/{stationing_id}": _MANAGER,
    "POST /rural/duties": _SECRETARY,
    "PATCH /rural/duties/{duty_id}": _SECRETARY,
    "DELETE /rural/duties/{duty_id}": _SECRETARY,
    "POST /rural/mobile-contacts": _SECRETARY,
    "PATCH /rural/mobile-contacts/{contact_id}": _SECRETARY,
    "DELETE /rural/mobile-contacts/{contact_id}": _SECRETARY,
    "POST /soe/decisions": _MANAGER,
    "PATCH /soe/decisions/{decision_id}": _MANAGER,
    "DELETE /soe/decisions/{decision_id}": _MANAGER,
    "POST /soe/appointments": _MANAGER,
    "PATCH /soe/appointments/{appointment_id}": _MANAGER,
    "DELETE /soe/appointments/{appointment_id}": _MANAGER,
    "POST /soe/performance-links": _MANAGER,
    "PATCH /soe/performance-links/{link_id}": _MANAGER,
    "DELETE /soe/performance-links/{link_id}": _MANAGER,
    "POST /soe/vanguard-posts": _SECRETARY,
    "PATCH /soe/vanguard-posts/{post_id}": _SECRETARY,
    "DELETE /soe/vanguard-posts/{post_id}": _SECRETARY,
    "POST /soe/innovations": _SECRETARY,
    "PATCH /soe/innovations/{innovation_id}": _SECRETARY,
    "DELETE /soe/innovations/{innovation_id}": _SECRETARY,
    "POST /two_new/units": _MANAGER,
    "PATCH /two_new/units/{unit_id}": _MANAGER,
    "DELETE /two_new/units/{unit_id}": _MANAGER,
    "POST /two_new/instructors": _MANAGER,
    "PATCH /two_new/instructors/{instructor_id}": _MANAGER,
    "DELETE /two_new/instructors/{instructor_id}": _MANAGER,
    "POST /two_new/groups": _MANAGER,
    "PATCH /two_new/groups/{group_id}": _MANAGER,
    "DELETE /two_new/groups/{group_id}": _MANAGER,
}

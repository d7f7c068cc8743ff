"""Chinese names (catalog msgids) of the codes the member pages show that the shared
:mod:`core.web.labels` does not name: education, lost-contact reasons, history events,
transfer letters, point entries, dues channels, development stages, meeting kinds.
Templates call them as ``names.education(code)``; an unknown code shows as itself."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

EDUCATION = {
    "postgraduate": _l("Postgraduate"),
    "bachelor": _l("Bachelor's degree"),
    "college": _l("College (junior)"),
    "secondary_vocational": _l("Secondary vocational"),
    "high_school": _l("High school"),
    "junior_or_below": _l("Junior school or below"),
}
LOST_CONTACT_REASONS = {
    "migrant_work": _l("Working or trading away from home"),
    "restructuring": _l("Employer restructured or bankrupt"),
    "graduated_unknown": _l("Whereabouts unknown after graduating"),
    "job_changed": _l("Changed employer"),
    "abroad": _l("Abroad"),
    "moved": _l("Moved house"),
    "other": _l("Other"),
}
EVENTS = {
    "admitted": _l("Entered the register"),
    "converted": _l("Became a full member"),
    "status_changed": _l("Status changed"),
    "moved": _l("Moved to another organisation"),
    "transfer_out": _l("Transferred out"),
    "transfer_in": _l("Transferred in"),
}
LETTER_KINDS = {"internal": _l("Within the city"), "outgoing": _l("To another city"),
                "incoming": _l("From another city")}
LETTER_STATUSES = {"pending": _l("Awaiting the receiving side"),
                   "completed": _l("Transfer completed"), "refused": _l("Refused by the receiver"),
                   "expired": _l("Letter expired"), "cancelled": _l("Letter withdrawn")}
ENTRY_STATUSES = {"pending": _l("Awaiting approval"), "approved": _l("Points awarded"),
                  "rejected": _l("Points refused")}
CHANNELS = {"cash": _l("Cash"), "bank": _l("Bank transfer"), "wechat": _l("WeChat Pay"),
            "alipay": _l("Alipay"), "other": _l("Other")}
CARD_LEVELS = {"gold": _l("Gold card"), "silver": _l("Silver card")}
STAGES = {
    "applicant": _l("Applicant for Party membership"),
    "activist": _l("Activist"),
    "candidate": _l("Development target"),
    "probationary": _l("Probationary member"),
    "full": _l("Full member"),
}
MEETING_KINDS = {
    "general_meeting": _l("Branch general meeting"),
    "committee_meeting": _l("Branch committee meeting"),
    "group_meeting": _l("Party group meeting"),
    "party_lecture": _l("Party lecture"),
    "theme_day": _l("Theme Party day"),
    "life_meeting": _l("Organisational life meeting"),
    "member_review": _l("Democratic review of members"),
    "talk": _l("Heart-to-heart talk"),
}


def _name(table: dict, code):
    return table.get(code, code) if code else "—"


def education(code):
    return _name(EDUCATION, code)


def lost_contact_reason(code):
    return _name(LOST_CONTACT_REASONS, code)


def event(code):
    return _name(EVENTS, code)


def letter_kind(code):
    return _name(LETTER_KINDS, code)


def letter_status(code):
    return _name(LETTER_STATUSES, code)


def entry_status(code):
    return _name(ENTRY_STATUSES, code)


def channel(code):
    return _name(CHANNELS, code)


def card_level(code):
    return _name(CARD_LEVELS, code)


def stage(code):
    return _name(STAGES, code)


def meeting_kind(code):
    return _name(MEETING_KINDS, code)

"""Chinese names of core's codes, as catalog msgids (kinds, member statuses, severities…),
for templates: ``{{ labels.kind(org.kind) }}``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "committee": _l("Party committee"),
    "general_branch": _l("General branch"),
    "branch": _l("Branch"),
    "joint_branch": _l("Joint branch"),
    "group": _l("Party group"),
}
MEMBER_STATUSES = {
    "probationary": _l("Probationary member"),
    "full": _l("Full member"),
    "mobile": _l("Mobile member"),
    "lost_contact": _l("Lost contact"),
    "transferred_out": _l("Transferred out"),
    "left": _l("Left the Party"),
    "deceased": _l("Deceased"),
}
SEVERITIES = {"info": _l("Notice"), "warning": _l("Warning"), "serious": _l("Serious")}
GENDERS = {"male": _l("Male"), "female": _l("Female")}
JOB_STATES = {
    "queued": _l("Queued"),
    "started": _l("Running"),
    "retrying": _l("Retrying"),
    "finished": _l("Finished"),
    "failed": _l("Failed"),
}


def _get(table: dict, code):
    return table.get(code, code)


def kind(code):
    return _get(KINDS, code)


def member_status(code):
    return _get(MEMBER_STATUSES, code)


def severity(code):
    return _get(SEVERITIES, code)


def gender(code):
    return _get(GENDERS, code)


def job_state(code):
    return _get(JOB_STATES, code)


def job_error(text):
    """A job's error as the user reads it: translated when the catalog knows it (the job
    queue away, a worker that died), else as the job wrote it."""
    from core.web.service_errors import translate

    return translate(text) if text else text


def sector(key):
    """A sector's Chinese name, as its plugin declares it."""
    from core.orgs.sectors import installed_sectors

    entry = installed_sectors().get(key) if key else None
    return entry[1].name if entry else (key or "—")

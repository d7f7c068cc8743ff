"""Protection-level basics (等保 2.0): rate limits on logging in and on the API
(:mod:`.ratelimit`), personal data kept out of the logs (:mod:`.log_scrub`) and rotation of
the keys that encrypt personal fields (:mod:`.keys`, ``dangjian keys``).

Password policy, lockout, session timeout and security headers live where they act
(``core.auth``, ``core.web.session``, ``core.web.headers``); the append-only audit log in
``core.audit.append_only``.
"""

"""Background jobs: assessment runs, warning sweeps, imports, exports.

A plugin declares jobs through the ``dangjian_jobs`` hook; code starts one with
:func:`core.jobs.service.enqueue`. Every run is a :class:`~core.jobs.models.Job` row of the
enqueuing tenant, so the API can show its state and progress whatever runs it.

* :mod:`.models` — the ``jobs`` table.
* :mod:`.context` — :class:`JobContext` (what a job function receives) and
  :class:`TransientJobError` (a failure worth retrying); both re-exported by :mod:`core.sdk`.
* :mod:`.registry` — job names from every plugin, unique, filtered by the tenant's plugins.
* :mod:`.service` — ``enqueue`` and reading jobs.
* :mod:`.queue` — Redis and the rq queue (``REDIS_URL``); none configured means in-process.
* :mod:`.runner` — what rq (or the in-process path) calls to run one attempt of a job.
* :mod:`.locks` — a job never runs twice at once for one tenant (a Redis lock across
  workers and hosts; a process lock in-process).
* :mod:`.liveness` / :mod:`.recovery` — who runs an attempt and its heartbeat; ending the
  attempts whose process died (a killed worker), so no job shows ``started`` forever.
* :mod:`.worker` — the ``dangjian worker`` process: rq's forking worker, recovering dead
  attempts and riding out Redis and database blips.
* :mod:`.faults` — a test-only fault point (a run that stalls at a given progress).
* :mod:`.api` / :mod:`.cli` — ``GET /api/v1/jobs/<id>``; ``dangjian worker`` and
  ``dangjian jobs run``.
"""

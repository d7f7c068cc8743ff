"""The ``assessment.run_cycle`` job: evaluate one cycle, with progress per indicator.

Started by ``POST /api/v1/cycles/<id>/run`` (or ``dangjian jobs run assessment.run_cycle
--tenant SLUG cycle_id=…``). The runner commits the results together with the job's own
result, or rolls everything back when the run fails: a failed run leaves the previous
results exactly as they were.
"""

from __future__ import annotations

from core.assessment import cycles
from core.assessment.evaluate import run


def run_cycle_job(ctx, cycle_id: str) -> dict:
    """Evaluate cycle ``cycle_id`` of the job's tenant; returns the run's summary."""
    cycle = cycles.get(cycle_id)
    if cycle is None:
        raise LookupError(f"考核周期 {cycle_id} 不存在")
    summary = run(cycle, progress=ctx.progress)
    return {"cycle_id": str(cycle.id), **summary}

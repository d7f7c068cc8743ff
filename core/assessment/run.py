"""Being written for issue 5."""


def run_cycle_job(ctx, **kwargs):
    raise NotImplementedError

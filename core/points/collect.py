"""Being written for issue 5."""


def collect_job(ctx, **kwargs):
    raise NotImplementedError

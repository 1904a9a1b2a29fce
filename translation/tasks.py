"""Thin tasks: load by id, call a service. The rows are the truth; a lost
task is rung again by the scheduler's translation_sweep."""

from django.tasks import task


@task()
def translate_job(job_id: int) -> str:
    from .runner import job_run

    return job_run(job_id=job_id)


@task()
def glossary_sync() -> str:
    from .glossary import glossary_sync as sync

    return sync()

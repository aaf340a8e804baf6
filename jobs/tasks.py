"""The one task the job worker runs (django-tasks, database backend): a job by its id."""

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from .services import run_job as run

    run(job_id=job_id)

from common.testing import access


def _job(status: str = "queued"):
    def kwargs():
        from django.contrib.auth import get_user_model

        from jobs.models import Job

        office = get_user_model().objects.get(username="office")
        job = Job.objects.create(kind="test", title="test", owner=office, status=status)
        return {"pk": job.pk}

    return kwargs


# a job is its owner's: everyone else gets 404
MATRIX = {
    "jobs:job_detail": access("office", kwargs=_job()),
    "jobs:job_progress": access("office", kwargs=_job()),
    # no result yet: 404 for everyone, the owner included
    "jobs:job_download": access(kwargs=_job()),
    # the owner starts a failed job again (an unknown kind here: refused, back to its page)
    "jobs:job_restart": access("office", method="post", kwargs=_job("failed"), data=lambda: {}),
}

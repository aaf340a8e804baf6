"""A project included in a higher-level plan (纳入计划), and the counterpart directory."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from . import services
from .choices import STAGE_FLOW, Stage
from .models import Project
from .plan_forms import IncludeInPlanForm


def include_form_for(request, project: Project, can_change: bool) -> IncludeInPlanForm | None:
    """The project page's 纳入计划 form, where the project may go there and the viewer act."""
    if not can_change or Stage.INCLUDED not in STAGE_FLOW.get(project.stage, set()):
        return None
    from org.period import office_period

    return IncludeInPlanForm(initial={"on": office_period().as_of, "version": project.version})


@login_required
def project_include(request, pk: int):
    project = get_object_or_404(Project.objects.visible_to(request.user, "change"), pk=pk)
    if request.method != "POST":
        return redirect("funding:project_detail", pk=project.pk)
    form = IncludeInPlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.advance_project(
                user=request.user,
                project=project,
                to_stage=Stage.INCLUDED,
                on=data["on"],
                note=data["note"],
                plan=data["plan"],
                batch=data["batch"],
                plan_amount=data["amount"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(project)s is recorded as included in %(plan)s.")
                % {"project": project.name, "plan": data["plan"]},
            )
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[k].label if k in form.fields else ''}{' '.join(v)}"
                for k, v in form.errors.items()
            ),
        )
    return redirect("funding:project_detail", pk=project.pk)

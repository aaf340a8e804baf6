"""Writes to the material checklists and the files attached to projects."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from common.files import check_upload, max_upload_bytes
from org.services import ensure_unit_access

from ..models import (
    Channel,
    MaterialRequirement,
    Project,
    ProjectMaterial,
)
from .base import _require_office


@transaction.atomic
def save_material_requirement(
    *, user, channel: Channel | None, name: str, sort_order: int = 0
) -> tuple[MaterialRequirement, bool]:
    """The office adds an item to a channel's checklist (no channel: every project's)."""
    _require_office(user)
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError(_("Name the material."), code="name")
    requirement = MaterialRequirement.objects.filter(channel=channel, name=name).first()
    if requirement is not None:
        return requirement, False
    requirement = MaterialRequirement.objects.create(
        channel=channel, name=name, sort_order=sort_order
    )
    record(
        "funding.material_requirement.created",
        requirement,
        after=snapshot(requirement),
        user=user,
    )
    return requirement, True


@transaction.atomic
def remove_material_requirement(*, user, requirement: MaterialRequirement) -> None:
    """The office takes an item off a checklist; files already attached stay (unlinked)."""
    _require_office(user)
    before = snapshot(requirement)
    record("funding.material_requirement.deleted", requirement, before=before, user=user)
    requirement.delete()


@transaction.atomic
def attach_material(
    *,
    user,
    project: Project,
    name: str,
    content,
    requirement: MaterialRequirement | None = None,
) -> ProjectMaterial:
    """Attach a file to a project. The name, size and type are checked
    (`common.files.check_upload`); the file is stored 0600 under LUOSHI_DATA_DIR/materials."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_unit_access(user, project.unit)
    if requirement is not None and requirement.channel_id not in (None, project.channel_id):
        raise ValidationError(
            _("This checklist item belongs to another channel."), code="requirement"
        )
    checked = check_upload(name, content)
    stored = ProjectMaterial.FOLDER.store(content, max_bytes=max_upload_bytes())
    try:
        material = ProjectMaterial.objects.create(
            project=project,
            requirement=requirement,
            name=checked.name,
            storage_name=stored.name,
            size=stored.size,
            content_type=checked.content_type,
            sha256=stored.sha256,
            uploaded_at=timezone.now(),
            uploaded_by=user,
        )
        record("funding.material.attached", material, after=snapshot(material), user=user)
    except BaseException:
        ProjectMaterial.FOLDER.discard(stored.name)
        raise
    return material


@transaction.atomic
def remove_material(*, user, material: ProjectMaterial) -> None:
    material = ProjectMaterial.objects.select_related("project").get(pk=material.pk)
    ensure_unit_access(user, material.project.unit_id)
    record("funding.material.removed", material, before=snapshot(material), user=user)
    storage_name = material.storage_name
    material.delete()
    transaction.on_commit(lambda: ProjectMaterial.FOLDER.discard(storage_name))


def record_material_download(*, user, material: ProjectMaterial) -> None:
    """Who took which file out of the system: a read, audited like an export."""
    record(
        "funding.material.downloaded",
        material,
        after={"project": material.project_id, "name": material.name, "size": material.size},
        user=user,
    )

"""All writes to policies, measures, work items, milestones, plans and progress reports,
one module per record type. Importers use `policy.services` as before."""

from .access import (
    can_change_item,
    can_change_milestone,
    lead_unit_id,
    require_item_change,
    require_milestone_change,
)
from .completion import (
    complete_milestone,
    complete_work_item,
    record_evidence_download,
    reschedule_milestone,
    reschedule_work_item,
)
from .documents import (
    POLICY_FIELDS,
    edit_measure,
    edit_policy,
    save_aspect,
    save_measure,
    save_policy,
)
from .milestones import add_measure_milestone, add_milestone
from .plans import plan_schedule, save_work_plan, sections_of
from .reports import approve_progress_report, file_progress_report, send_back_progress_report
from .work_items import bulk_save_work_items, create_work_item, edit_work_item, save_work_item

__all__ = [
    "POLICY_FIELDS",
    "add_measure_milestone",
    "add_milestone",
    "approve_progress_report",
    "bulk_save_work_items",
    "can_change_item",
    "can_change_milestone",
    "complete_milestone",
    "complete_work_item",
    "create_work_item",
    "edit_measure",
    "edit_policy",
    "edit_work_item",
    "file_progress_report",
    "lead_unit_id",
    "plan_schedule",
    "record_evidence_download",
    "require_item_change",
    "require_milestone_change",
    "reschedule_milestone",
    "reschedule_work_item",
    "save_aspect",
    "save_measure",
    "save_policy",
    "save_work_item",
    "save_work_plan",
    "sections_of",
    "send_back_progress_report",
]

"""All writes to funding, one module per record type: targets, receipts, projects, leads,
guides, contacts, channels, materials. Importers use `funding.services` as before. The
rules the single and bulk writes share are `receipt_rule.py` and `record_rules.py`."""

from ..record_rules import PLAN_YEAR_MAX, PLAN_YEAR_MIN, effective_date
from .channels import bulk_save_channels, save_channel
from .contacts import link_contact, log_contact
from .guides import (
    GUIDE_FIELDS,
    bulk_save_guides,
    next_guide_code,
    prepare_application,
    save_guide,
    update_guide,
)
from .leads import add_lead, convert_lead
from .materials import (
    attach_material,
    record_material_download,
    remove_material,
    remove_material_requirement,
    save_material_requirement,
)
from .projects import (
    FUNDING_PATH,
    PROJECT_EDIT_FIELDS,
    PROJECT_MORE_FIELDS,
    advance_project,
    bulk_save_projects,
    code_taken_message,
    create_project,
    fund_project,
    save_project,
    update_project,
)
from .receipts import (
    RECEIPT_COLUMNS,
    bulk_record_receipts,
    checked_receipt,
    confirm_claim,
    lock_unit_receipts,
    record_receipt,
    store_receipt,
)
from .targets import bulk_set_targets, set_target

__all__ = [
    "FUNDING_PATH",
    "GUIDE_FIELDS",
    "PLAN_YEAR_MAX",
    "PLAN_YEAR_MIN",
    "PROJECT_EDIT_FIELDS",
    "PROJECT_MORE_FIELDS",
    "RECEIPT_COLUMNS",
    "add_lead",
    "advance_project",
    "attach_material",
    "bulk_record_receipts",
    "bulk_save_channels",
    "bulk_save_guides",
    "bulk_save_projects",
    "bulk_set_targets",
    "checked_receipt",
    "code_taken_message",
    "confirm_claim",
    "convert_lead",
    "create_project",
    "effective_date",
    "fund_project",
    "link_contact",
    "lock_unit_receipts",
    "log_contact",
    "next_guide_code",
    "prepare_application",
    "record_material_download",
    "record_receipt",
    "remove_material",
    "remove_material_requirement",
    "save_channel",
    "save_guide",
    "save_material_requirement",
    "save_project",
    "set_target",
    "store_receipt",
    "update_guide",
    "update_project",
]

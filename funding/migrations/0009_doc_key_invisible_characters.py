"""文号 keys drop every invisible character and fold the bracket lookalikes (design §10): the
stored keys of receipts, rejected receipts and claim decisions are computed again, so that a
duplicate written with U+034F, U+3164, U+2800, U+FE0F or U+007F is found among the old ones.

The key is computed with a frozen copy of `funding.docno.normalise_doc_no` as it was when
this migration was written, so later changes of that function do not change history.
"""

import re
import unicodedata

from django.db import migrations

_BRACKETS = str.maketrans(
    {**dict.fromkeys("([{【〖〔〘〈《", "〔"), **dict.fromkeys(")]}】〗〕〙〉》", "〕")}
)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_INVISIBLE = {"Cc", "Cf", "Mn", "Zs", "Zl", "Zp"}
_LOOKALIKES = "\u115f\u1160\u3164\uffa0\u2800"


def _fold(text):
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(
        ch for ch in folded if unicodedata.category(ch) not in _INVISIBLE and ch not in _LOOKALIKES
    )
    return folded.translate(_BRACKETS).translate(_ASCII_UPPER)[:300]


def _key(text):
    key = text or ""
    for _round in range(5):
        folded = _fold(key)
        if folded == key:
            break
        key = folded
    return key


def _recompute(model, source="doc_no"):
    changed = []
    for row in model.objects.only("pk", source, "doc_key").iterator(2000):
        key = _key(getattr(row, source))
        if key != row.doc_key:
            row.doc_key = key
            changed.append(row)
            if len(changed) >= 2000:
                model.objects.bulk_update(changed, ["doc_key"])
                changed = []
    model.objects.bulk_update(changed, ["doc_key"])


def recompute_doc_keys(apps, schema_editor):
    _recompute(apps.get_model("funding", "Receipt"))
    _recompute(apps.get_model("funding", "RejectedReceipt"))
    # a decision's key is unique: two decisions whose 文号 now fold to one key keep the first
    # decision's key on the first; the later keeps its old key (the office decides again)
    ClaimReview = apps.get_model("funding", "ClaimReview")
    taken = set(ClaimReview.objects.values_list("doc_key", flat=True))
    for review in ClaimReview.objects.order_by("decided_at", "pk"):
        key = _key(review.doc_key)
        if key != review.doc_key and key not in taken:
            taken.discard(review.doc_key)
            taken.add(key)
            review.doc_key = key
            review.save(update_fields=["doc_key"])


class Migration(migrations.Migration):
    dependencies = [("funding", "0008_receipt_rollup_insert_trigger_when")]

    operations = [migrations.RunPython(recompute_doc_keys, migrations.RunPython.noop)]

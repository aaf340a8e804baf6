"""Who may open the ledger pages: the supervision office only."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from common.testing import access


def _stored_ledger() -> dict:
    """A small valid ledger (one more receipt for ZJJ), stored as if uploaded."""
    from ledger import storage

    text = "单位编码,金额（万元）,到位日期,文号\nZJJ,1,2024-06-01,矩阵测试\n"
    upload = SimpleUploadedFile("到位资金.csv", text.encode("utf-8"))
    return {"sha": storage.store(upload, SimpleNamespace(pk=0))}


MATRIX = {
    "ledger:upload": access("office"),
    "ledger:preview": access("office", kwargs=_stored_ledger),
    "ledger:confirm": access("office", kwargs=_stored_ledger, method="post", data=lambda: {}),
    "ledger:export": access("office"),
}

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from common.testing import CAST
from funding.models import Receipt
from ledger import storage
from org.tests.factories import cast_of

from .helpers import write_xlsx
from .matrix import MATRIX

pytestmark = pytest.mark.django_db

BAD = {
    "到位资金": [
        ["单位编码", "金额（万元）", "到位日期"],
        ["ZJJ", -1, "2024-05-01"],
        ["NOPE", 5, "2024-05-01"],
        ["ZJJ", 5, "2024-02-30"],
    ]
}
GOOD = {
    "到位资金": [
        ["单位编码", "金额（万元）", "到位日期", "文号"],
        ["CGJ", 30000, "2024-06-01", "测试〔2024〕1号"],
    ]
}


def upload(client, tmp_path, sheets, name="ledger.xlsx"):
    data = write_xlsx(tmp_path / name, sheets).read_bytes()
    return client.post(reverse("ledger:upload"), {"file": SimpleUploadedFile(name, data)})


def test_the_office_uploads_previews_and_confirms(client, cast, tmp_path):
    client.force_login(cast["office"])
    assert client.get(reverse("ledger:upload")).status_code == 200
    response = upload(client, tmp_path, BAD)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "3 处错误" in page and "金额不能为负数" in page and "单位编码“NOPE”不存在" in page
    assert "confirm-submit" not in page
    count = Receipt.objects.count()
    response = upload(client, tmp_path, GOOD, "good.xlsx")
    sha = response["Location"].rstrip("/").rsplit("/", 1)[1]
    page = client.get(response["Location"]).content.decode()
    assert "confirm-submit" in page and Receipt.objects.count() == count
    result = client.post(reverse("ledger:confirm", kwargs={"sha": sha}))
    assert result.status_code == 200
    html = result.content.decode()
    assert 'data-figure-after="secured"' in html and "10.7亿元" in html and "13.7亿元" in html
    assert Receipt.objects.count() == count + 1
    assert AuditEvent.objects.filter(action="ledger.imported", actor_id=cast["office"].pk).exists()


def test_the_office_downloads_the_ledger(client, cast, tmp_path, django_assert_max_num_queries):
    client.force_login(cast["office"])
    # 12 for the export itself, 4 for the login policy's first-request checks of a fresh
    # session, up to 6 for the audit event of the export (savepoint, chain lock on PostgreSQL,
    # last hash, the anchor when the chain is empty after a prune, insert, release), 3 for
    # the work items with their units and time nodes, 2 for the application guides and their units,
    # 3 for the counterpart directory with its people and units
    with django_assert_max_num_queries(30):
        response = client.get(reverse("ledger:export") + "?year=2024")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "download.xlsx"
    path.write_bytes(response.content)
    assert openpyxl.load_workbook(path).sheetnames[-4:] == [
        "到位资金",
        "申报指南",
        "工作事项",
        "对口联系",
    ]


@pytest.fixture
def office(db):
    return cast_of("office")["office"]


def test_uploads_are_checked_before_they_are_stored(client, office, settings):
    client.force_login(office)
    settings.LEDGER_MAX_UPLOAD_BYTES = 10
    response = client.post(
        reverse("ledger:upload"), {"file": SimpleUploadedFile("a.xlsx", b"x" * 100)}
    )
    assert response.status_code == 200 and "文件超过" in response.content.decode()
    settings.LEDGER_MAX_UPLOAD_BYTES = 10_000
    response = client.post(reverse("ledger:upload"), {"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert response.status_code == 200 and ".xlsx" in response.content.decode()
    # a hostile file reaches the preview, which shows the one clear error
    response = client.post(
        reverse("ledger:upload"), {"file": SimpleUploadedFile("b.xlsx", b"not a zip")}
    )
    page = client.get(response["Location"]).content.decode()
    assert "不是电子表格" in page


def test_an_unknown_upload_id_is_404(client, office):
    client.force_login(office)
    assert client.get(reverse("ledger:preview", kwargs={"sha": "0" * 64})).status_code == 404
    assert client.get("/ledger/preview/..%2Fx/").status_code == 404
    assert storage.find("../../etc/passwd") is None


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_only_the_office_uses_the_ledger(client, cast, name):
    entry = MATRIX[name]
    for username in CAST:
        client.force_login(cast[username])
        kwargs = entry.kwargs() if entry.kwargs else None
        url = reverse(name, kwargs=kwargs)
        data = entry.data() if entry.data else {}
        response = getattr(client, entry.method)(url, data)
        if username in entry.allowed:
            assert response.status_code in (200, 302), (username, response.status_code)
        else:
            assert response.status_code in (403, 404), (username, response.status_code)
    client.logout()
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 302

from common.testing import access

MATRIX = {
    "api:summary": access("office", "leader", "zjj", "zjj_head", query="?as_of=2024-06-30"),
    "api:receipt_create": access(
        "zjj", "zjj_head", method="post", data=lambda: {"amount": "10", "received_on": "2024-06-01"}
    ),
}

"""The robot protocols, checked without the database: DingTalk's signature, the payloads,
and secrets masked wherever they are shown."""

import base64
import hashlib
import hmac
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reminders import channels
from reminders.models import mask, mask_url


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret():
    secret, timestamp = "SEC0123456789", 1720000000000
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    assert channels.dingtalk_sign(secret, timestamp) == base64.b64encode(digest.digest()).decode()


@given(st.text(min_size=1, max_size=60), st.integers(min_value=0, max_value=2**45))
def test_the_signed_url_carries_the_url_encoded_sign(secret, timestamp):
    url = channels.dingtalk_url(
        "https://oapi.dingtalk.com/robot/send?access_token=t", secret, timestamp
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["t"]
    assert query["timestamp"] == [str(timestamp)]
    assert query["sign"] == [channels.dingtalk_sign(secret, timestamp)]  # decodes back exactly


def test_payloads_are_markdown_with_the_subject_and_an_absolute_link(settings):
    settings.LUOSHI_BASE_URL = "https://luoshi.example.gov.cn"
    wecom = channels.wecom_payload("工作事项GZ-08已逾期", "请抓紧推进。", "/policy/items/8/")
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("### 【催办】工作事项GZ-08已逾期")
    assert "(https://luoshi.example.gov.cn/policy/items/8/)" in wecom["markdown"]["content"]
    ding = channels.dingtalk_payload("工作事项GZ-08已逾期", "请抓紧推进。")
    assert ding["markdown"]["title"] == "【催办】工作事项GZ-08已逾期"
    assert "请抓紧推进。" in ding["markdown"]["text"]


@pytest.mark.parametrize(
    "secret, shown",
    [("", ""), ("short", "*****"), ("SECabcdefghijkl", "SEC…jkl")],
)
def test_secrets_are_masked(secret, shown):
    assert mask(secret) == shown


def test_webhook_tokens_are_masked():
    url = (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    )
    assert mask_url(url) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693…aaa"


def test_an_unreachable_robot_is_a_channel_error_in_plain_words(settings):
    settings.LUOSHI_ROBOT_HOSTS = ["http://127.0.0.1:9"]  # nothing listens there
    with pytest.raises(channels.ChannelError) as failed:
        channels.post_json("http://127.0.0.1:9/robot/send", {"msgtype": "text"})
    assert "Errno" not in str(failed.value) and "refused" not in str(failed.value)

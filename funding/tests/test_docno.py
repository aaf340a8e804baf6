"""文号 normalisation: one key however the number is typed (design §3.1)."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from funding.docno import normalise_doc_no

SAME = [
    "省财建〔2024〕701号",
    " 省财建〔2024〕701号 ",
    "省财建[2024]701号",
    "省财建［２０２４］７０１号",
    "省财建(2024)701号",
    "省财建（2024）701 号",
    "省财建【2024】701号",
    "省财建 〔 2024 〕 701\u3000号",
    "省财建\u200b〔2024〕701号\ufeff",
    "省财建﹝2024﹞701号",
    # invisible characters and bracket lookalikes (design §10, issue 23)
    "省财建\u034f〔2024〕701号",
    "省财建〔2024〕\u3164701号",
    "省财建〔2024〕701\u2800号",
    "省财建〔2024〕701号\ufe0f",
    "省财建\x7f〔2024〕701号",
    "省财建\x1c〔2024〕701\u115f\u1160\uffa0号",
    "省财建〈2024〉701号",
    "省财建《2024》701号",
    "省财建\u2028〔2024〕\u2029701号\u200d",
]


def test_the_ways_people_type_one_number_give_one_key():
    assert {normalise_doc_no(text) for text in SAME} == {"省财建〔2024〕701号"}


def test_different_numbers_stay_different():
    keys = {
        normalise_doc_no(t)
        for t in ("省财建〔2024〕701号", "省财建〔2024〕710号", "省财预〔2024〕701号")
    }
    assert len(keys) == 3
    assert normalise_doc_no("") == normalise_doc_no(None) == normalise_doc_no("  ") == ""
    assert normalise_doc_no("api〔2024〕1号") == "API〔2024〕1号"


FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}  # ASCII → full-width forms
BRACKETS = {"〔": "([【〖（［", "〕": ")]】〗）］"}


def _variant(draw, key: str) -> str:
    """A way of typing `key`: full-width characters, other brackets, spaces anywhere."""
    out = []
    for ch in key:
        if ch in BRACKETS and draw(st.booleans()):
            ch = draw(st.sampled_from(BRACKETS[ch]))
        elif ch in FULL_WIDTH and draw(st.booleans()):
            ch = FULL_WIDTH[ch]
        elif ch.isascii() and ch.isalpha() and draw(st.booleans()):
            ch = ch.lower()
        out.append(ch + draw(st.sampled_from(["", "", " ", "\u3000", "\t", "\u00a0"])))
    return draw(st.sampled_from(["", " ", "\u3000"])) + "".join(out)


_doc_numbers = st.builds(
    lambda prefix, year, number, suffix: f"{prefix}〔{year}〕{number}{suffix}",
    st.sampled_from(["省财建", "发改投资", "财建", "市财预", "川财金", "XM", "JH-Cai"]),
    st.integers(min_value=1990, max_value=2100),
    st.integers(min_value=1, max_value=9999),
    st.sampled_from(["号", "", "号-1"]),
)


@given(data=st.data(), number=_doc_numbers)
def test_every_way_of_typing_a_number_gives_its_key(data, number):
    key = normalise_doc_no(number)
    variant = _variant(data.draw, number)
    assert normalise_doc_no(variant) == key


@given(st.text(max_size=60))
def test_the_key_of_a_key_is_itself_and_holds_no_space(text):
    key = normalise_doc_no(text)
    assert normalise_doc_no(key) == key
    assert not any(ch.isspace() for ch in key)
    assert not any(unicodedata.category(ch) == "Cf" for ch in key)
    assert not set("()[]（）［］【】〈〉《》") & set(key)
    invisible = {"Cc", "Cf", "Mn", "Zs", "Zl", "Zp"}
    assert not any(unicodedata.category(ch) in invisible for ch in key)
    assert not set("\u3164\u115f\u1160\uffa0\u2800") & set(key)
    assert key == unicodedata.normalize("NFKC", key)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_a_bounded_key(text):
    assert len(normalise_doc_no(text)) <= 300


def _reference_key(text: str | None) -> str:
    """The key as design §10 words it, every character looked at: the fast path of `_fold`
    and its prebuilt pattern of invisible characters must give the same key for any text."""
    import string

    brackets = str.maketrans(
        {**dict.fromkeys("([{【〖〔〘〈《", "〔"), **dict.fromkeys(")]}】〗〕〙〉》", "〕")}
    )
    invisible = {"Cc", "Cf", "Mn", "Zs", "Zl", "Zp"}
    key = str(text or "")
    for _round in range(5):
        folded = unicodedata.normalize("NFKC", key)
        folded = "".join(
            ch
            for ch in folded
            if unicodedata.category(ch) not in invisible
            and ch not in "\u3164\u115f\u1160\uffa0\u2800"
        )
        folded = folded.translate(brackets)
        folded = folded.translate(str.maketrans(string.ascii_lowercase, string.ascii_uppercase))
        folded = folded[:300]
        if folded == key:
            break
        key = folded
    return key


@given(
    st.text(
        alphabet=st.sampled_from(
            "省财建预〔〕[]()（）【】﹝﹞〈〉《》 　\u200b\ufeff\u00ad\t\n\xa0\u2028"
            "号aZ０１２3\u0301é"
            "\u034f\u3164\u2800\ufe0f\x7f\x1c\u115f\u1160\uffa0\U000e0100"
        )
        | st.characters(),
        max_size=40,
    )
)
def test_it_gives_the_key_of_the_reference_fold(text):
    assert normalise_doc_no(text) == _reference_key(text)

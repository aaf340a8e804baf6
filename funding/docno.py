"""文号 (allocation document numbers) compared the way people mean them (design §3.1).

Units type the same document number in many ways: `省财建〔2024〕701号`, `省财建[2024] 701号`,
`省财建（２０２４）７０１号`. `normalise_doc_no` folds them into one key; two receipts with the
same key are about the same document.
"""

import re
import unicodedata

# After NFKC (which already turns （）［］｛｝﹝﹞ into ()[]{}〔〕), every bracket style people use
# around the year becomes the tortoise-shell brackets of the official style (GB/T 9704).
_OPENING = "([{【〖〔〘"
_CLOSING = ")]}】〗〕〙"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "〔"), **dict.fromkeys(_CLOSING, "〕")})
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FOLD = _BRACKETS | _ASCII_UPPER
# characters the fold changes (〔〕 stay as they are)
_TO_FOLD = re.compile(
    "[" + re.escape((_OPENING + _CLOSING).replace("〔", "").replace("〕", "")) + "a-z]"
)
_SPACE = re.compile(r"\s+")
DOC_KEY_LENGTH = 300


def normalise_doc_no(text: str | None) -> str:
    """The comparison key of a 文号: trimmed, full-width folded to half-width (NFKC), every
    bracket style unified to 〔〕, every space and invisible format character removed, ASCII
    letters upper-cased. The empty string for no 文号."""
    if not text:
        return ""
    key = str(text)
    # Removing a space can let two characters compose under NFKC: fold until nothing changes
    # (twice in practice), so that the key of a key is the key itself.
    for _round in range(5):
        folded = _fold(key)
        if folded == key:
            break
        key = folded
    return key


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    # zero-width spaces, BOMs and other format characters are invisible in a cell. They are
    # not printable, nor are spaces other than " ": a printable text (nearly every 文号 — a
    # ledger import folds 100,000) has none and skips the scan, character by character.
    if not folded.isprintable():
        folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
        folded = _SPACE.sub("", folded)
    elif " " in folded:
        folded = folded.replace(" ", "")
    if _TO_FOLD.search(folded):  # most 文号 already hold 〔〕 and capitals only
        folded = folded.translate(_FOLD)
    return folded[:DOC_KEY_LENGTH]

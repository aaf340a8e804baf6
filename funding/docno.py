"""文号 (allocation document numbers) compared the way people mean them (design §3.1).

Units type the same document number in many ways: `省财建〔2024〕701号`, `省财建[2024] 701号`,
`省财建（２０２４）７０１号`. `normalise_doc_no` folds them into one key; two receipts with the
same key are about the same document.
"""

import re
import unicodedata
from functools import lru_cache

from common.validation import drop_invisible

# After NFKC (which already turns （）［］｛｝﹝﹞ into ()[]{}〔〕), every bracket style
# people use around the year — and the lookalikes 〈〉《》 — becomes the tortoise-shell
# brackets of the official style (GB/T 9704).
_OPENING = "([{【〖〔〘〈《"
_CLOSING = ")]}】〗〕〙〉》"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "〔"), **dict.fromkeys(_CLOSING, "〕")})
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FOLD = _BRACKETS | _ASCII_UPPER
# characters the fold changes (〔〕 stay as they are)
_TO_FOLD = re.compile(
    "[" + re.escape((_OPENING + _CLOSING).replace("〔", "").replace("〕", "")) + "a-z]"
)
DOC_KEY_LENGTH = 300


# a ledger's receipt is keyed by the import, the receipt rule and the bulk service in turn:
# remembered, its key is folded once (a 100,000-row import: seconds of regex otherwise)
@lru_cache(maxsize=1 << 17)
def normalise_doc_no(text: str | None) -> str:
    """The comparison key of a 文号: trimmed, full-width folded to half-width (NFKC), every
    bracket style unified to 〔〕, every invisible character removed (spaces, control and
    format characters, combining marks, the Hangul fillers, the blank Braille pattern:
    `common.validation.drop_invisible`, design §10), ASCII letters upper-cased. The empty
    string for no 文号."""
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
    # U+034F, U+3164, U+2800, U+FE0F, U+007F… look like nothing: a 文号 written with one is
    # the same 文号 (a duplicate, or another unit's doubtful claim), not a new one
    if not (folded.isascii() and folded.isalnum()):  # a plain key skips the scan
        folded = drop_invisible(folded)
    if _TO_FOLD.search(folded):  # most 文号 already hold 〔〕 and capitals only
        folded = folded.translate(_FOLD)
    return folded[:DOC_KEY_LENGTH]

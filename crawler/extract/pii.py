"""Personal information exposed in page text: 18-digit 居民身份证号 (ISO 7064
MOD 11-2 check digit and a plausible birth date) and mobile numbers next to
words that make them a private person's. Only masked forms leave here."""
from __future__ import annotations

import re
from datetime import date

# The "no digit (or letter) before" guard comes after the first character, which lets the regex
# engine jump from one candidate first character to the next instead of trying every position.
ID_NUMBER = re.compile(r"([1-9](?<![0-9A-Za-z].)\d{5})((?:18|19|20)\d{2})(\d{2})(\d{2})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(1(?<!\d.)[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PERSONAL = re.compile(r"姓名|身份证|户主|申请人|当事人|被申请人|举报人|投诉人|来信人|留言人|本人|家属|住址|家庭地址|"
                      r"性别|出生|先生|女士|患者|学生|村民|居民|联系人")
OFFICIAL = re.compile(r"咨询|办公|热线|服务电话|值班|监督电话|举报电话|传真|客服|受理电话|科室|办公室|中心电话")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def valid_id(number: str, today: date | None = None) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if id_check_char(number[:17]) != number[17].upper():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    today = today or date.today()
    return born <= today and today.year - born.year <= 120


def mask_id(number: str) -> str:
    return number[:6] + "*" * 10 + number[16:]


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[7:]


CUT_AT_START = re.compile(r"^[\d \-]*\d[Xx]?")
CUT_AT_END = re.compile(r"\d[\d \-]*$")


def _snippet(text: str, start: int, end: int, masked: str) -> str:
    lo, hi = max(0, start - 20), end + 20
    before, after = text[lo:start], text[end:hi]
    # A window edge inside another number would show its unmasked part (and, with that
    # number's own masked snippet, all of it): drop the cut number.
    if lo > 0 and text[lo - 1].isdigit():
        before = CUT_AT_START.sub("", before)
    if hi < len(text) and (text[hi].isdigit() or text[hi] in "Xx" and after[-1:].isdigit()):
        after = CUT_AT_END.sub("", after)
    # Other numbers in the window are masked too, so a snippet never leaks one.
    clean = lambda s: MOBILE.sub(lambda m: mask_mobile("".join(m.groups())), ID_NUMBER.sub(
        lambda m: mask_id("".join(m.groups())), s))
    return (clean(before) + masked + clean(after)).strip()


def find_pii(text: str, today: date | None = None, limit: int = 20) -> list[dict]:
    hits = []
    for m in ID_NUMBER.finditer(text):
        number = "".join(m.groups())
        if valid_id(number, today):
            hits.append({"type": "id_number", "masked": mask_id(number),
                         "snippet": _snippet(text, m.start(), m.end(), mask_id(number))})
            if len(hits) >= limit:
                return hits
    for m in MOBILE.finditer(text):
        number = "".join(m.groups())
        window = text[max(0, m.start() - 30):m.start()] + text[m.end():m.end() + 10]
        if PERSONAL.search(window) and not OFFICIAL.search(text[max(0, m.start() - 12):m.start()]):
            hits.append({"type": "mobile", "masked": mask_mobile(number),
                         "snippet": _snippet(text, m.start(), m.end(), mask_mobile(number))})
            if len(hits) >= limit:
                break
    return hits

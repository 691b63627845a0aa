"""Text of a downloaded attachment (.txt .csv .xlsx .docx .pdf), capped.

Attachments come from anywhere, so a file that cannot be read (corrupt,
encrypted, a zip bomb) gives a one-line `reason` instead of text and never
raises. Zip containers (.xlsx, .docx) are refused before inflating when a
member would expand beyond MAX_MEMBER_BYTES.
"""
from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit
from core.errors import GovauditError

TEXT_CAP = 200_000
MAX_MEMBER_BYTES = 20 * 1024 * 1024     # one inflated xlsx/docx part
MAX_ZIP_BYTES = 60 * 1024 * 1024        # all inflated parts of one container
MAX_PDF_PAGES = 300
FORMATS = ("txt", "csv", "xlsx", "docx", "pdf")
_EXT = re.compile(r"\.(txt|csv|xlsx|docx|pdf)$", re.I)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCX_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


class Unreadable(GovauditError):
    """The file is refused for a stated reason (no traceback wanted)."""


@dataclass
class AttachmentText:
    format: str
    text: str = ""
    truncated: bool = False
    reason: str | None = None       # why there is no text, one line

    def facts(self) -> dict:
        out = {"format": self.format, "chars": len(self.text), "truncated": self.truncated}
        if self.reason:
            out["reason"] = self.reason
        return out


def attachment_format(url: str) -> str | None:
    """The readable format named by the URL's path, or by a download script's file parameter."""
    parts = urlsplit(url)
    m = _EXT.search(parts.path) or next((_EXT.search(v) for _, v in parse_qsl(parts.query) if _EXT.search(v)), None)
    return m.group(1).lower() if m else None


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    if isinstance(exc, Unreadable):
        return message[:300]
    return f"{type(exc).__name__}: {message}"[:300] if message else type(exc).__name__


def extract_text(body: bytes, fmt: str, cap: int = TEXT_CAP) -> AttachmentText:
    reader = {"txt": _plain, "csv": _plain, "xlsx": _xlsx, "docx": _docx, "pdf": _pdf}.get(fmt)
    if reader is None:
        return AttachmentText(fmt, reason=f"unsupported format {fmt}")
    if not body:
        return AttachmentText(fmt, reason="empty file")
    try:
        text = reader(body, cap + 1)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a reason, not a crash
        return AttachmentText(fmt, reason=one_line(exc))
    text = text.strip()
    return AttachmentText(fmt, text[:cap], truncated=len(text) > cap)


# -- plain text ---------------------------------------------------------------
def _plain(body: bytes, cap: int) -> str:
    head = body[: cap * 4]
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, errors="replace")[:cap]
    try:
        return head.decode("utf-8")[:cap]
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:       # a character cut by the byte cap
            return head[:exc.start].decode("utf-8")[:cap]
    # Chinese government files without a BOM are GBK/GB18030 when not UTF-8.
    return head.decode("gb18030", errors="replace")[:cap]


# -- zip containers ---------------------------------------------------------------
def _open_zip(body: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"not a zip container: {exc}") from None
    total = 0
    for info in zf.infolist():
        if info.file_size > MAX_MEMBER_BYTES:
            raise Unreadable(f"zip member {info.filename[:80]} expands to {info.file_size} bytes "
                             f"(limit {MAX_MEMBER_BYTES})")
        total += info.file_size
    if total > MAX_ZIP_BYTES:
        raise Unreadable(f"zip members expand to {total} bytes (limit {MAX_ZIP_BYTES})")
    return zf


def _read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    # zipfile stops at the declared size, so a lying header cannot inflate past the check above.
    with zf.open(name) as fh:
        return fh.read(MAX_MEMBER_BYTES + 1)


def _docx(body: bytes, cap: int) -> str:
    from lxml import etree
    zf = _open_zip(body)
    names = [n for n in zf.namelist() if DOCX_PARTS.match(n)]
    if "word/document.xml" not in names:
        raise Unreadable("no word/document.xml: not a .docx")
    names.sort(key=lambda n: n != "word/document.xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    out: list[str] = []
    size = 0
    for name in names:
        root = etree.fromstring(_read_member(zf, name), parser)
        for para in root.iter(W + "p"):
            line = "".join(el.text or "" if el.tag == W + "t" else ("\t" if el.tag == W + "tab" else "\n")
                           for el in para.iter(W + "t", W + "tab", W + "br"))
            out.append(line)
            size += len(line) + 1
            if size >= cap:
                return "\n".join(out)
    return "\n".join(out)


def _xlsx(body: bytes, cap: int) -> str:
    import openpyxl
    _open_zip(body)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # openpyxl warns about styles and extensions it skips
        wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    out: list[str] = []
    size = 0
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if not cells:
                    continue
                line = "\t".join(cells)
                out.append(line)
                size += len(line) + 1
                if size >= cap:
                    return "\n".join(out)
    finally:
        wb.close()
    return "\n".join(out)


# -- PDF --------------------------------------------------------------------------
def _pdf(body: bytes, cap: int) -> str:
    from pypdf import PdfReader
    logging.getLogger("pypdf").setLevel(logging.ERROR)   # a broken file's repairs are not news
    if not body.lstrip()[:5].startswith(b"%PDF"):
        raise Unreadable("no %PDF header: not a PDF")
    reader = PdfReader(io.BytesIO(body))
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("encrypted PDF")
    out: list[str] = []
    size = 0
    for i, page in enumerate(reader.pages):
        if i >= MAX_PDF_PAGES:
            break
        text = page.extract_text() or ""
        out.append(text)
        size += len(text) + 1
        if size >= cap:
            break
    return "\n".join(out)

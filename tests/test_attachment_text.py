"""Attachment text (.txt .csv .xlsx .docx .pdf) on real files built here, the PII found in
it, and hostile files that must give a reason, never an exception."""
from __future__ import annotations

from datetime import date

import pytest

from checks.artifacts import PageArt, SiteArtifacts, SiteInfo
from checks.catalog import all_checks
from crawler.extract.attachment_text import (MAX_MEMBER_BYTES, attachment_format, extract_text)
from crawler.extract.pii import find_pii
from tests.attachment_files import BAD_ID, MOBILE, SAMPLE_ID, docx, pdf, xlsx, zip_bomb

TODAY = date(2026, 11, 22)
PERSONAL_LINES = [f"申请人：张三，身份证号码：{SAMPLE_ID}", f"投诉人：李四，联系电话 {MOBILE}，反映噪音问题"]


def files_with(lines: list[str]) -> dict[str, bytes]:
    return {"xlsx": xlsx([[line] for line in lines]), "docx": docx(lines), "pdf": pdf(lines),
            "txt": "\n".join(lines).encode("gbk"), "csv": "\n".join(lines).encode("utf-8-sig")}


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf", "txt", "csv"])
def test_id_and_mobile_found_and_masked(fmt):
    got = extract_text(files_with(PERSONAL_LINES)[fmt], fmt)
    assert (got.reason, got.truncated) == (None, False)
    assert got.text.split("\n") == PERSONAL_LINES
    hits = find_pii(got.text, TODAY)
    assert [(h["type"], h["masked"]) for h in hits] == [("id_number", "110105**********2X"), ("mobile", "139****5678")]
    # the window's edge cut the mobile: the cut number is left out, never shown in part
    assert hits[0]["snippet"] == "申请人：张三，身份证号码：110105**********2X\n投诉人：李四，联系电话"
    assert SAMPLE_ID not in repr(hits) and MOBILE not in repr(hits)


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_wrong_check_digit_is_not_an_id(fmt):
    got = extract_text(files_with([f"订单编号 {BAD_ID} 已受理", f"咨询电话 {MOBILE}"])[fmt], fmt)
    assert got.reason is None and BAD_ID in got.text
    assert find_pii(got.text, TODAY) == []


def test_xlsx_cells_are_tab_separated_rows():
    got = extract_text(xlsx([["姓名", "联系电话", "身份证号"], ["张三", MOBILE, SAMPLE_ID]]), "xlsx")
    assert got.text == f"姓名\t联系电话\t身份证号\n张三\t{MOBILE}\t{SAMPLE_ID}"
    assert [(h["type"], h["snippet"]) for h in find_pii(got.text, TODAY)] == [
        ("id_number", "身份证号\n张三\t139****5678\t110105**********2X"),
        ("mobile", "姓名\t联系电话\t身份证号\n张三\t139****5678\t110105**********2X")]


def test_text_is_capped():
    got = extract_text(("公示" * 1000).encode("utf-8"), "txt", cap=500)
    assert (len(got.text), got.truncated, got.facts()) == (500, True, {"format": "txt", "chars": 500, "truncated": True})


@pytest.mark.parametrize("fmt,body,reason", [
    ("pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "PdfStreamError: Stream has ended unexpectedly"),
    ("pdf", b"<html><body>404</body></html>", "no %PDF header: not a PDF"),
    ("docx", b"PK\x03\x04 truncated", "not a zip container: File is not a zip file"),
    ("xlsx", b"not a zip at all", "not a zip container: File is not a zip file"),
    ("docx", zip_bomb(), f"zip member word/document.xml expands to {30 * 1024 * 1024} bytes (limit {MAX_MEMBER_BYTES})"),
    ("xlsx", zip_bomb("xl/worksheets/sheet1.xml"),
     f"zip member xl/worksheets/sheet1.xml expands to {30 * 1024 * 1024} bytes (limit {MAX_MEMBER_BYTES})"),
    ("docx", xlsx([["a"]]), "no word/document.xml: not a .docx"),
    ("pdf", b"", "empty file"),
])
def test_broken_or_hostile_files_give_one_line_reason(fmt, body, reason):
    got = extract_text(body, fmt)
    assert (got.text, got.reason) == ("", reason)
    assert "\n" not in got.reason


def test_pdf_truncated_after_its_first_object():
    good = pdf(PERSONAL_LINES)
    got = extract_text(good[:len(good) // 2], "pdf")
    assert got.text == "" and got.reason and "\n" not in got.reason


def test_format_from_url():
    assert attachment_format("http://x/files/名单.XLSX") == "xlsx"
    assert attachment_format("http://x/download.jsp?file=a.pdf&id=3") == "pdf"
    assert attachment_format("http://x/files/a.doc") is None
    assert attachment_format("http://x/files/a.zip") is None


def test_pii_check_names_the_attachment_and_masks():
    base = "http://demo.gov.cn"
    text = extract_text(docx(PERSONAL_LINES), "docx").text
    home = PageArt(url=base + "/", status=200, is_homepage=True, facts={"title": "首页"}, text="首页")
    att = PageArt(url=base + "/files/gs.docx", status=200, role="resource",
                  facts={"attachment": {"format": "docx", "chars": len(text), "truncated": False},
                         "pii": find_pii(text, TODAY)}, text=text)
    broken = PageArt(url=base + "/files/bad.pdf", status=200, role="resource",
                     facts={"attachment": {"format": "pdf", "chars": 0, "truncated": False, "reason": "encrypted PDF"}})
    a = SiteArtifacts(SiteInfo(1, base + "/", "某某县", "portal"), pages=[home, att, broken], gathered={"crawl"})
    f = all_checks()["privacy.pii_exposure"].evaluate(a, {})
    assert (f.status, f.value) == ("fail", 1)
    assert f.details == {"pages": [{"url": base + "/files/gs.docx", "source": "attachment",
                                    "types": ["id_number", "mobile"], "hits": 2}],
                         "attachments_read": 1,
                         "attachments_unread": [{"url": base + "/files/bad.pdf", "reason": "encrypted PDF"}]}
    assert [(e["ref"], e["rule"], e["text"]) for e in f.evidence] == [
        (base + "/files/gs.docx", "id_number", "申请人：张三，身份证号码：110105**********2X\n投诉人：李四，联系电话"),
        (base + "/files/gs.docx", "mobile", "投诉人：李四，联系电话 139****5678，反映噪音问题")]
    assert SAMPLE_ID not in repr(f) and MOBILE not in repr(f)

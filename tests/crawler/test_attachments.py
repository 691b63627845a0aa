"""The real spider reads the text of the attachments it links to (served over HTTP on
127.0.0.1): PII in an .xlsx, .docx or .pdf is found and masked; broken and hostile
files, oversized files and files over the site's budget are counted with a reason."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.attachment_files import BAD_ID, MOBILE, SAMPLE_ID, docx, pdf, xlsx, zip_bomb
from tests.helpers import audit, served

INDEX = "<html><head><meta charset='utf-8'><title>公示公告</title></head><body><ul>{}</ul></body></html>"
FILES = {
    "files/mingdan.xlsx": xlsx([["序号", "姓名", "联系电话", "身份证号"], ["1", "张三", MOBILE, SAMPLE_ID]]),
    "files/gs.docx": docx(["关于低保对象的公示", f"申请人：李四，身份证号码：{SAMPLE_ID}，现住某某村。"]),
    "files/ts.pdf": pdf(["投诉处理结果", f"投诉人：王五，联系电话 {MOBILE}，反映噪音问题。"]),
    "files/bh.pdf": pdf(["采购结果公告", f"订单编号 {BAD_ID} 已受理", f"咨询电话 {MOBILE}"]),
    "files/broken.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog",
    "files/bomb.docx": zip_bomb(),
    "files/big.csv": b"a,b\n" * (6 * 1024 * 1024 // 4),
    "files/notice.doc": b"\xd0\xcf\x11\xe0 old word format, HEAD only",
}


def _crawl(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    links = "".join(f"<li><a href='/{path}'>附件{i}</a></li>" for i, path in enumerate(FILES))
    budget_links = "".join(f"<li><a href='/f/{i}.txt'>附件{i}</a></li>" for i in range(3))
    files = {"p": {"index.html": INDEX.format(links), **FILES},
             "q": {"index.html": INDEX.format(budget_links),
                   **{f"f/{i}.txt": f"申请人：赵{i}，身份证号码：{SAMPLE_ID}" for i in range(3)}}}
    with served(tmp_path, {"p": {}, "q": {"hints": {"max_attachment_texts": 1}}}, files) as farm:
        db_url, run_id, ids = audit(farm, tmp_path, ["privacy.pii_exposure", "links.attachments"])
        bases = {s.slug: s.base for s in farm.sites}
    return db_url, run_id, ids, bases


def test_attachment_texts_are_read_and_checked(tmp_path, monkeypatch):
    from storage import models as m
    from storage.db import get_engine
    db_url, run_id, ids, bases = _crawl(tmp_path, monkeypatch)
    base = bases["p"]
    with Session(get_engine(db_url)) as session:
        def finding(slug, check_id):
            return session.scalar(select(m.Finding).where(m.Finding.run_id == run_id, m.Finding.site_id == ids[slug],
                                                          m.Finding.check_id == check_id))

        def crawl_facts(slug):
            return session.scalar(select(m.ProbeResult.result).where(
                m.ProbeResult.run_id == run_id, m.ProbeResult.site_id == ids[slug], m.ProbeResult.probe == "crawl"))

        pii = finding("p", "privacy.pii_exposure")
        assert (pii.status, pii.value) == ("fail", 3)
        assert pii.details["pages"] == [
            {"url": f"{base}/files/gs.docx", "source": "attachment", "types": ["id_number"], "hits": 1},
            {"url": f"{base}/files/mingdan.xlsx", "source": "attachment", "types": ["id_number", "mobile"], "hits": 2},
            {"url": f"{base}/files/ts.pdf", "source": "attachment", "types": ["mobile"], "hits": 1}]
        assert [(e["ref"], e["rule"], e["text"]) for e in pii.evidence] == [
            (f"{base}/files/gs.docx", "id_number", "保对象的公示\n申请人：李四，身份证号码：110105**********2X，现住某某村。"),
            (f"{base}/files/mingdan.xlsx", "id_number", "证号\n1\t张三\t139****5678\t110105**********2X"),
            (f"{base}/files/mingdan.xlsx", "mobile", "号\t姓名\t联系电话\t身份证号\n1\t张三\t139****5678\t110105**********2X"),
            (f"{base}/files/ts.pdf", "mobile", "投诉处理结果\n投诉人：王五，联系电话 139****5678，反映噪音问题。")]
        assert SAMPLE_ID not in repr(pii.evidence) + repr(pii.details) and MOBILE not in repr(pii.evidence)
        assert pii.details["attachments_read"] == 4
        assert sorted((u["url"].rsplit("/", 1)[-1], u["reason"]) for u in pii.details["attachments_unread"]) == [
            ("big.csv", f"{6 * 1024 * 1024} bytes, over the {5 * 1024 * 1024}-byte cap"),
            ("bomb.docx", "zip member word/document.xml expands to 31457280 bytes (limit 20971520)"),
            ("broken.pdf", "PdfStreamError: Stream has ended unexpectedly")]
        assert (finding("p", "links.attachments").status, finding("p", "links.attachments").value) == ("pass", 0)

        facts = crawl_facts("p")["attachment_texts"]
        assert {k: v for k, v in facts.items() if k != "problems"} == {
            "requested": 6, "read": 4, "with_pii": 3, "too_large": 1, "unreadable": 2, "failed": 0, "over_budget": 0}
        assert sorted((p["url"].rsplit("/", 1)[-1], p["kind"]) for p in facts["problems"]) == [
            ("big.csv", "too_large"), ("bomb.docx", "unreadable"), ("broken.pdf", "unreadable")]

        # the stored text is what the check reads (a stored rerun needs no network)
        page = session.scalar(select(m.Page).where(m.Page.run_id == run_id, m.Page.url == f"{base}/files/bh.pdf"))
        assert (page.role, page.status, page.text) == ("resource", 200, f"采购结果公告\n订单编号 {BAD_ID} 已受理\n咨询电话 {MOBILE}")
        assert page.facts["attachment"] == {"format": "pdf", "chars": len(page.text), "truncated": False}
        doc = session.scalar(select(m.Page).where(m.Page.run_id == run_id, m.Page.url == f"{base}/files/notice.doc"))
        assert (doc.status, doc.text, doc.facts) == (200, None, {})

        q = finding("q", "privacy.pii_exposure")
        assert (q.status, q.value, q.details["attachments_read"]) == ("fail", 1, 1)
        assert {k: v for k, v in crawl_facts("q")["attachment_texts"].items()} == {
            "requested": 1, "read": 1, "with_pii": 1, "too_large": 0, "unreadable": 0, "failed": 0, "over_budget": 2,
            "problems": []}

"""智能问答: the Q&A bot asked common questions (crawler/probes/qa.py)."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, graded, not_applicable
from checks.probe_common import finish, probe_result, shots
from checks.zh import CCID, area_texts

area_texts({
    "qa.present": ("提供智能问答（智能客服）入口。",
        CCID + "：智能问答"),
    "qa.answers": ("完善问答知识库，使常见问题得到有效回答。",
        CCID + "：智能问答"),
}, reasons={
    "no_qa": "未发现智能问答",
    "no_entry": "未发现入口",
    "no_input": "未发现输入框",
    "submit_failed": "提交失败",
})


@check("qa.present", "智能问答", "Intelligent Q&A present", kinds="PH", needs="probe:qa", unit="bool")
def present(a: SiteArtifacts, t: dict) -> Finding:
    """1 if an intelligent Q&A entry is found and accepts a question, else 0."""
    r, err = probe_result(a, "qa")
    if err:
        return err
    f = binary(bool(r.get("present")), "bool", entry=r.get("entry"), reason=r.get("reason"))
    return finish(f, r, shots(r.get("screenshot")))


@check("qa.answers", "问答有效性", "Q&A answers", kinds="PH", needs="probe:qa", unit="share",
       fail_below=0.5, warn_below=0.8, answer_within_s=10)
def answers(a: SiteArtifacts, t: dict) -> Finding:
    """Share of test questions answered (non-empty, not a fallback such as 请换个问法) within 10 s."""
    r, err = probe_result(a, "qa")
    if err:
        return err
    if not r.get("present"):
        return finish(not_applicable("no_qa", why=r.get("reason")), r)
    qs = r.get("questions") or []
    ok = [q for q in qs if q.get("answer") and not q.get("fallback") and q.get("latency_s") is not None
          and q["latency_s"] <= t["answer_within_s"]]
    share = round(len(ok) / len(qs), 4) if qs else 0.0
    f = Finding(graded(share, fail_below=t["fail_below"], warn_below=t["warn_below"]), share, "share",
                {"questions": [{k: q.get(k) for k in ("question", "answer", "latency_s", "fallback")} for q in qs],
                 "answered": len(ok)})
    return finish(f, r, shots(r.get("screenshot")))

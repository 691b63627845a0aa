"""Page 7, manual indicators: per framework, a form per unit (or site) for the values evaluators
judge by hand, each with who entered it and why; and the round's candidate vetoes confirmed or
rejected with a note. Saving scores the round again (govaudit/manual_values.py)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from core.errors import UserError
from govaudit import manual_values
from govaudit.console.audit import audit
from govaudit.console.web import STAFF, NavItem, get_session, render, require_role, see_other
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/manual", "人工指标", STAFF)]
EDITORS = ("admin", "evaluator")


def _optional_id(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise UserError(f"编号须为数字（收到 {value!r}）")
    return int(value)


@router.get("/manual")
def manual_page(request: Request, framework: str = "", run: int | None = None,
                user: m.User = Depends(require_role(*STAFF)), session: Session = Depends(get_session)):
    available = manual_values.frameworks_with_manual()
    name = framework or (available[0].name if available else "")
    form = manual_values.manual_form(session, name, run) if name else None
    run_id = form.run_id if form else run
    candidates = manual_values.veto_candidates(session, run_id) if form else []
    return render(request, "manual.html.jinja", user, frameworks=available, form=form, candidates=candidates,
                  can_edit=user.role in EDITORS, decisions=manual_values.DECISIONS)


@router.post("/manual/values")
async def save_values(request: Request, user: m.User = Depends(require_role(*EDITORS)),
                      session: Session = Depends(get_session)):
    """One subject's values: fields framework, run_id, unit_id or site_id, why, and value.<indicator>
    for each indicator given (empty fields are left as they are)."""
    fields = await request.form()
    name, why = str(fields.get("framework", "")), str(fields.get("why", ""))
    run_id = _optional_id(str(fields.get("run_id", "")))
    unit_id, site_id = _optional_id(str(fields.get("unit_id", ""))), _optional_id(str(fields.get("site_id", "")))
    given = {k[len("value."):]: str(v).strip() for k, v in fields.items() if k.startswith("value.") and str(v).strip()}
    if not given:
        raise UserError("没有填写任何分值")
    for indicator, raw in sorted(given.items()):
        try:
            value = float(raw)
        except ValueError:
            raise UserError(f"{indicator} 的分值须为数字（收到 {raw!r}）") from None
        row = manual_values.set_value(session, name, indicator, value, user.name, why, unit_id=unit_id,
                                      site_id=site_id)
        audit(session, user, "manual.set", f"manual:{name}:{'unit' if unit_id else 'site'}:{unit_id or site_id}",
              why, {"indicator": indicator, "value": value, "entry": row.id})
    if run_id is not None:
        manual_values.rescore(session, run_id, name)
    session.commit()
    return see_other(f"/manual?framework={name}" + (f"&run={run_id}" if run_id else ""))


@router.post("/manual/vetoes")
def decide_veto(request: Request, run_id: int = Form(...), framework: str = Form(...), veto: str = Form(...),
                decision: str = Form(...), note: str = Form(""), unit_id: str = Form(""), site_id: str = Form(""),
                user: m.User = Depends(require_role(*EDITORS)), session: Session = Depends(get_session)):
    unit, site = _optional_id(unit_id), _optional_id(site_id)
    row = manual_values.decide_veto(session, run_id, framework, veto, decision, note, user.name,
                                    unit_id=unit, site_id=site)
    manual_values.rescore(session, run_id, framework)
    audit(session, user, f"veto.{decision}", f"veto:{run_id}:{framework}:{veto}:{'unit' if unit else 'site'}:"
                                             f"{unit or site}", note, {"decision": row.id})
    session.commit()
    return see_other(f"/manual?framework={framework}&run={run_id}#vetoes")

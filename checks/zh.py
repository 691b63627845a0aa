"""Chinese words for everything a reader of a report, notice or export sees about a finding:
statuses, error kinds, units, run states and the reason codes every area shares. Each check
area declares its own reason codes and its 整改建议 (remedy and the rule it comes from) next to
its checks with `area_texts` (checks/links.py, checks/update.py…). English stays in the raw
details and ids only; tests/test_report_zh.py fails on any status, error kind, unit or reason
code without a Chinese name here or in its area."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STATUS_ZH = {"pass": "通过", "fail": "不通过", "warn": "警告", "not_applicable": "不适用", "error": "无法测量"}

ERROR_KIND_ZH = {
    "timeout": "超时", "dns": "域名解析失败", "tls": "证书或加密连接错误", "connection": "连接失败",
    "too_many_redirects": "重定向次数过多", "blocked": "被拦截", "too_large": "内容超过大小上限",
    "not_gathered": "未采集到所需数据", "internal": "程序内部错误",
}

# details.cause of a `blocked` error (docs/checks.md): the scanner's own choice, not the site's failure
CAUSE_ZH = {"refused_by_policy": "本工具的网络策略拒绝访问该地址", "robots_txt": "网站的 robots.txt 禁止抓取，本工具遵守"}

# the unit of a finding's value: (word shown after the number, how the number is shown)
UNIT_ZH = {
    "bool": ("", "yes_no"), "share": ("", "percent"), "ratio": ("", "percent"),
    "links": ("个", "count"), "days": ("天", "number"), "matches": ("处", "count"), "items": ("项", "count"),
    "datasets": ("个", "count"), "pages": ("个页面", "count"), "columns": ("个栏目", "count"),
    "s": ("秒", "number"), "messages": ("条", "count"), "channels": ("个", "count"), "apps": ("个", "count"),
    "functions": ("项", "count"), "topics": ("项", "count"), "headers": ("项", "count"),
    "violations": ("处", "count"), "px": ("像素", "number"), "tools": ("项", "count"),
}

RUN_STATUS_ZH = {"running": "进行中", "finished": "已完成", "interrupted": "已中断", "failed": "失败"}
RUN_KIND_ZH = {"round": "检查轮次", "check": "单项复查", "monitor": "可用性监测"}
SITE_KIND_ZH = {"portal": "政府门户网站", "open_data": "公共数据开放平台", "hotline": "12345/政民互动"}

# details.reason codes used by several areas; an area's own codes are in its module
REASON_ZH: dict[str, str] = {
    "no_pages": "未抓取到页面", "missing": "未发现", "empty": "内容为空", "no_dates": "未发现带日期的内容",
    "http_404": "页面不存在（404）", "http_403": "禁止访问（403）",
    "http_410": "页面已删除（410）", "http_500": "服务器错误（500）", "http_502": "网关错误（502）",
    "http_503": "服务不可用（503）", "http_429": "请求过多被限制（429）", "http_401": "需要登录（401）",
    "html_instead_of_file": "返回网页而非附件文件",
}


# the rules a remedy comes from (the seed documents named in docs/checks.md and docs/frameworks.md)
GUOBAN_2019 = "国办《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
GUIDE_2017 = "《政府网站发展指引》（国办发〔2017〕47号）"
ELDER_2021 = "工信部《互联网网站适老化通用设计规范》（2021）"
GBT_37668 = "GB/T 37668-2019《信息技术 互联网内容无障碍可访问性技术要求与测试方法》"
PIPL = "《中华人民共和国个人信息保护法》；GB/T 35273-2020《个人信息安全规范》"
CCID = "中国软件评测中心《数字政府服务能力评估》"
UESTC_DATA = "电子科技大学《地方政府数字化服务能力评估》（数字驱动能力）"
TSINGHUA = "清华大学《政府网站绩效评估》"


@dataclass(frozen=True)
class Advice:
    """整改建议 of one check: what to change, and the rule it comes from."""
    remedy: str
    basis: str


ADVICE: dict[str, Advice] = {}


def area_texts(advice: dict[str, tuple[str, str]], reasons: dict[str, str] | None = None) -> None:
    """Declare an area's 整改建议 ({check id: (remedy, basis)}) and its reason codes in Chinese."""
    for check_id, (remedy, basis) in advice.items():
        if check_id in ADVICE:
            raise ValueError(f"advice for {check_id} declared twice")
        ADVICE[check_id] = Advice(remedy, basis)
    for code, text in (reasons or {}).items():
        if REASON_ZH.get(code, text) != text:
            raise ValueError(f"reason {code!r} has two Chinese names")
        REASON_ZH[code] = text


def advice_for(check_id: str) -> Advice | None:
    from checks.catalog import all_checks
    all_checks()        # imports every area module, so their tables are declared
    return ADVICE.get(check_id)


def title_zh(check_id: str) -> str:
    """The check's Chinese title ('' for a check this installation does not have)."""
    from checks.catalog import all_checks
    c = all_checks().get(check_id)
    return c.title_zh if c else ""


def unit_of(check_id: str, unit: str | None) -> str:
    """A finding's unit, or its check's declared unit when the finding names none."""
    if unit:
        return unit
    from checks.catalog import all_checks
    c = all_checks().get(check_id)
    return c.unit if c else ""


def reason_zh(code: object) -> str:
    """A reason code in Chinese; an HTTP status code the table lacks reads 'HTTP 状态 N'."""
    text = str(code or "")
    if text in REASON_ZH:
        return REASON_ZH[text]
    if text in CAUSE_ZH:
        return CAUSE_ZH[text]
    if text.startswith("http_") and text[5:].isdigit():
        return f"HTTP 状态 {text[5:]}"
    if text in ERROR_KIND_ZH:
        return ERROR_KIND_ZH[text]
    return text


def status_zh(status: str, error_kind: str | None = None) -> str:
    """通过 / 不通过 / …; an error with its kind: 无法测量（超时）."""
    word = STATUS_ZH.get(status, status)
    if status == "error" and error_kind:
        return f"{word}（{ERROR_KIND_ZH.get(error_kind, error_kind)}）"
    return word


def value_zh(value: float | int | None, unit: str | None) -> str:
    """A finding's value as a reader reads it: 是/否, 12.5%, 3 个, 2.4 秒."""
    if value is None:
        return "—"
    word, how = UNIT_ZH.get(unit or "", ("", "number"))
    if how == "yes_no":
        return "是" if value else "否"
    if how == "percent":     # half up, as people round (81.25 → 81.3)
        return f"{Decimal(str(100 * value)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if how == "count" and float(value).is_integer():
        return f"{int(value)} {word}".strip()
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return f"{text} {word}".strip()

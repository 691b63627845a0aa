"""Links and labels a reader looks for, by Chinese keyword family: privacy
statement, online services, consultation channels, new-media accounts,
information-disclosure columns, 办事指南 elements."""
from __future__ import annotations

import re
from crawler.extract.html import Anchor, short_text, squash, txt

PRIVACY = re.compile(r"隐私|个人信息保护|个人信息安全|个人信息处理规则")
SERVICE = re.compile(r"办事服务|政务服务|网上办事|在线办事|网上办理|在线办理|办事大厅|一网通办|一网通|我要办|便民服务|政务服务网|掌上办"
                     r"|在线服务|网上服务|(?:个人|法人|单位|企业)办事|全程网办")
SERVICE_HREF = re.compile(r"zwfw|gjzwfw|banshi|bsdt|zwdt|onlineservice|wsbs", re.I)
INTERACT = re.compile(r"咨询|留言|信箱|12345|问政|诉求|建言|写信")
INTERACT_HREF = re.compile(r"12345|mailwrite|liuyan|leaveword|zxts|xinxiang|consult", re.I)
NOT_INTERACT = re.compile(r"信访|举报|纪检|监察|检举|控告")
NEW_MEDIA = {
    "wechat": re.compile(r"微信|公众号|weixin|wechat", re.I),
    "weibo": re.compile(r"微博|weibo", re.I),
    # APP sits next to Chinese characters (闽政通APP): no \b, only no Latin letter around it.
    "app": re.compile(r"客户端|(?<![A-Za-z])(?:APP|App)(?![A-Za-z])|app下载|移动端应用"),
    "miniprogram": re.compile(r"小程序"),
    "douyin": re.compile(r"抖音|douyin", re.I),
}
OTHER_MEDIA = {"video": re.compile(r"视频号"), "toutiao": re.compile(r"头条号"),
               "matrix": re.compile(r"政务新媒体|新媒体矩阵")}
MEDIA = {**NEW_MEDIA, **OTHER_MEDIA}
# matches where any of MEDIA does (each with its own flags): most texts are then passed over in one search
ANY_MEDIA = re.compile("|".join(f"(?{'i' if rx.flags & re.I else ''}:{rx.pattern})" for rx in MEDIA.values()))
SHARE = re.compile(r"分享|share", re.I)
DISCLOSURE = {
    "guide": re.compile(r"信息公开指南|公开指南"),
    "catalog": re.compile(r"信息公开目录|主动公开目录|法定主动公开|主动公开内容|公开目录"),
    "annual_report": re.compile(r"信息公开(?:工作)?年(?:度)?报|年度报告|年报"),
}
REPORT_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
INTERPRETATION = re.compile(r"(?<!数据)(?<!统计)解读")
# the words that label each element (plain substrings: ten substring scans beat ten regex scans)
GUIDE_ELEMENTS = {
    "事项名称": ("事项名称", "服务名称", "事项名"),
    "设定依据": ("设定依据", "法律依据", "办理依据", "实施依据", "法定依据", "受理依据"),
    "申请条件": ("申请条件", "受理条件", "办理条件", "申报条件", "准入条件"),
    "办理材料": ("办理材料", "申请材料", "所需材料", "提交材料", "申报材料", "材料清单", "要件"),
    "办理地点": ("办理地点", "受理地点", "办公地点", "办理地址", "受理地址", "办理窗口"),
    "办理时间": ("办理时间", "受理时间", "办公时间", "工作时间", "窗口时间"),
    "办理时限": ("办理时限", "承诺时限", "法定时限", "承诺期限", "法定期限", "办结时限", "承诺办结"),
    "收费标准": ("收费标准", "收费依据", "是否收费", "收费情况", "收费项目"),
    "咨询电话": ("咨询电话", "咨询方式", "咨询途径", "联系电话"),
    "办理流程": ("办理流程", "办事流程", "办理程序", "流程图", "办理步骤", "审批流程"),
}
GUIDE_TITLE = re.compile(r"办事指南|服务指南|办理指南")


ANY_FAMILY = re.compile("|".join(rx.pattern for rx in (PRIVACY, SERVICE, INTERACT, INTERPRETATION, REPORT_YEAR,
                                                       *DISCLOSURE.values(), *NEW_MEDIA.values(), *OTHER_MEDIA.values())), re.I)
HREF_TOKENS = ("zwfw", "banshi", "bsdt", "zwdt", "onlineservice", "wsbs", "12345", "mailwrite", "liuyan",
               "leaveword", "zxts", "xinxiang", "consult", "weibo", "weixin", "wechat", "douyin")


_HREF_HINT = re.compile("|".join(map(re.escape, HREF_TOKENS)))


def _href_hint(href: str) -> bool:
    return _HREF_HINT.search(href.lower()) is not None


QR_WORDS = re.compile(r"二维码|扫码|扫一扫|关注")
ICON_CLASS = {"wechat": re.compile(r"weixin|wechat", re.I), "weibo": re.compile(r"weibo", re.I),
              "douyin": re.compile(r"douyin|tiktok", re.I)}
ANY_ICON = re.compile("|".join(rx.pattern for rx in ICON_CLASS.values()), re.I)
MAX_CAPTION = 40


SHARE_BAR = re.compile(r"share|fenxiang|bdshare|jiathis", re.I)


def _in_share_bar(el) -> bool:
    """Inside a 分享到 bar (share buttons, not the site's own accounts)."""
    return _share_bar_from(el.getparent())


def _share_bar_from(el) -> bool:
    """`el` or one of its two nearest ancestors is a share bar."""
    for _ in range(3):
        if el is None:
            return False
        if SHARE_BAR.search((el.get("class") or "") + " " + (el.get("id") or "")):
            return True
        if "分享" in (el.text or ""):
            return True
        el = el.getparent()
    return False


def _media_captions(tree):
    """Accounts shown as a QR image with a caption rather than a link: the image's
    alt/title with the text of the nearest ancestor that has any (a caption in a
    sibling element or the next table row), short texts naming a QR code, and
    icon classes (icon-weixin) next to an account name."""
    # images often share their parent (a row of icons): its share-bar test and short text are read once
    share_bar: dict = {}
    short: dict = {}
    for img in tree.iter("img"):
        parent = img.getparent()
        if parent not in share_bar:
            share_bar[parent] = _share_bar_from(parent)
        if share_bar[parent]:
            continue
        own = squash((img.get("alt") or "") + " " + (img.get("title") or ""))
        el, around = parent, ""
        for _ in range(3):
            if el is None or el.tag in ("body", "html"):
                break
            if el not in short:
                short[el] = short_text(el, MAX_CAPTION)
            around = short[el]
            if around != "":
                break
            el = el.getparent()
        caption = squash(own + " " + around) if around is not None else own
        if caption and len(caption) <= MAX_CAPTION + 20 and not SHARE.search(caption):
            yield caption
    for el in tree.iter("div", "p", "span", "li", "td", "figcaption"):
        if len(el) == 0 and el.text and QR_WORDS.search(el.text):
            t = squash(el.text)
            if len(t) <= MAX_CAPTION and not SHARE.search(t):
                yield t
    for el in tree.iter("span", "i", "em"):
        cls = el.get("class") or ""
        if not ANY_ICON.search(cls):
            continue
        for kind, rx in ICON_CLASS.items():
            if rx.search(cls) and not _in_share_bar(el):
                holder = el.getparent()
                name = txt(holder) if holder is not None else ""
                if 2 <= len(name) <= MAX_CAPTION and not SHARE.search(name + " " + cls):
                    yield f"{name} ({'微信' if kind == 'wechat' else '微博' if kind == 'weibo' else '抖音'})"


def link_features(tree, anchor_list: list[Anchor]) -> dict:
    """Every link, once, matched against the keyword families."""
    out: dict[str, list] = {"privacy": [], "service": [], "interact": [], "disclosure": [],
                            "interpretation": [], "report_years": []}
    media: dict[str, str] = {}
    for a in anchor_list:
        href, label = a.href, a.label
        if not (ANY_FAMILY.search(label) or _href_hint(href)):
            continue
        url = a.url
        if len(label) <= 40:
            if PRIVACY.search(label):
                out["privacy"].append({"text": label, "url": url})
            if SERVICE.search(label) or (url and SERVICE_HREF.search(url) and len(label) <= 12):
                out["service"].append({"text": label, "url": url})
            if (INTERACT.search(label) or (url and INTERACT_HREF.search(url))) and not NOT_INTERACT.search(label):
                out["interact"].append({"text": label, "url": url})
            for kind, rx in DISCLOSURE.items():
                if rx.search(label):
                    out["disclosure"].append({"kind": kind, "text": label, "url": url})
                    if kind == "annual_report":
                        y = REPORT_YEAR.search(label)
                        if y:
                            out["report_years"].append(int(y[1]))
            if INTERPRETATION.search(label) and len(label) <= 15:
                out["interpretation"].append({"text": label, "url": url})
        if len(label) <= 30 and (ANY_MEDIA.search(label) or ANY_MEDIA.search(href)) \
                and not SHARE.search(label + href) and not _in_share_bar(a.el):
            for kind, rx in MEDIA.items():
                if kind not in media and (rx.search(label) or rx.search(href)):
                    media[kind] = url or label
    for caption in _media_captions(tree):
        if ANY_MEDIA.search(caption):
            for kind, rx in MEDIA.items():
                if kind not in media and rx.search(caption):
                    media[kind] = caption
    out["new_media"] = media
    for key in ("privacy", "service", "interact", "disclosure", "interpretation"):
        out[key] = out[key][:10]
    return out


def guide_elements(tree, title: str, text: str) -> dict | None:
    """For a 办事指南 page: which of the ten elements it labels."""
    present = [name for name, words in GUIDE_ELEMENTS.items() if any(w in text for w in words)]
    if len(present) < 2:
        return None
    heading = title + " " + " ".join(txt(h) for h in tree.iter("h1", "h2"))
    # A list of guides is titled 办事指南 too: a guide page also labels some elements.
    if (GUIDE_TITLE.search(heading) and len(present) >= 2) or len(present) >= 5:
        return {"present": present, "missing": [n for n in GUIDE_ELEMENTS if n not in present]}
    return None

"""Topics a privacy / personal-information statement must cover."""
from __future__ import annotations

import re

TOPICS = {
    "purpose_scope": re.compile(r"收集.{0,30}(?:目的|范围|哪些|以下|类型)|(?:目的|范围).{0,20}收集|收集的(?:个人)?信息"),
    "use": re.compile(r"(?:使用|利用|处理)(?:您的|您|用户的?)?(?:个人)?信息|信息的使用|如何使用|用于.{0,20}(?:服务|目的)"),
    "sharing": re.compile(r"共享|转让|公开披露|披露|提供给第三方|向第三方|委托处理"),
    "storage": re.compile(r"存储|保存期限|保存地点|保存期|储存|留存"),
    "security": re.compile(r"安全(?:保护)?措施|保护措施|加密|安全技术|访问控制|安全防护|防止.{0,10}(?:泄露|丢失)"),
    "rights": re.compile(r"(?:查询|查阅|访问).{0,40}(?:更正|修改|删除)|(?:更正|删除).{0,40}(?:查询|查阅|更正|删除)"),
    "contact": re.compile(r"投诉|申诉|举报|联系我们|(?:电子邮箱|邮箱|联系电话|电话)\s*[:：]|请.{0,20}联系|意见反馈"
                          r"|(?:个人信息保护|隐私).{0,10}(?:负责人|专员)"),
}


def privacy_topics(text: str) -> list[str]:
    return [name for name, rx in TOPICS.items() if rx.search(text)]

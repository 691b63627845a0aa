"""Chinese keyword families the probes read labels with.

Each family is a regular expression over an element's label (its text, title,
alt, aria-label, placeholder, value, and its id/class/name). They were written
from the wording government CMSs commonly use, not from any one site; extend
them here rather than in the probes.
"""
import re

# A search box or a link to the search page.
SEARCH_LABEL = re.compile(r"搜索|搜\s*索|检索|查询|关键[词字]|请输入|站内搜|全文检索|search|sousuo|query|keyword|searchword", re.I)
SEARCH_NAME = re.compile(r"^(q|wd|kw|key|keys|word|words|query|keyword|keywords|searchword|search|sword|qt|text|title|content)$", re.I)
SEARCH_ACTION = re.compile(r"search|sousuo|was5|jrobot|trs|s\.htm|/so/|/ss/|ssp|query|fulltext|qwjs|jsearch", re.I)
SEARCH_NOT = re.compile(r"登录|密码|验证码|用户名|账号|手机号|邮箱|password|login|email|username|captcha", re.I)

# "No results" pages and correction offers on a results page.
NO_RESULTS = re.compile(
    r"未找到|没有找到|找不到|没有搜索到|未搜索到|未检索到|没有检索到|无相关|无搜索结果|无结果|暂无(相关)?(结果|信息|数据|内容)"
    r"|共\s*0\s*条|0\s*条(结果|记录|信息)|找到\s*0\s*条|结果为\s*0|no results|nothing found", re.I)
CORRECTION = re.compile(
    r"您是不是要找|你是不是要找|您是否要找|是不是要找|您要找的是不是|您是不是想|是否要搜索|您要搜索的是不是|已为您(显示|搜索|纠正)"
    r"|以下是.{1,40}的搜索结果|仍然搜索|纠错为|did you mean", re.I)

# A service item / card in search results: a link to do the thing online.
SERVICE_ACTION = re.compile(r"在线办理|立即办理|马上办|去办理|我要办|网上办理|办事指南|办理指南|服务指南|在线申请|在线预约|立即申请|办事入口|服务事项|政务服务|一网通办")
SERVICE_URL = re.compile(r"zwfw|zwdt|banshi|bsfw|/bs/|onething|yiwang|ythbgpt|govservice|fuwu|/service|/ywtb|/zxbl|/bszn|/fw/", re.I)
SERVICE_QUERIES = ("社保", "公积金", "营业执照")

# The intelligent Q&A entry and its fallback answers.
QA_LABEL = re.compile(r"智能问答|智能客服|在线客服|智能咨询|智能助手|问答机器人|智能机器人|机器人|小助手|政务助手|智能导办|智能小[\u4e00-\u9fff]|AI\s*(助手|客服|问答)|chatbot|robot|znwd|zhinengwenda|kefu", re.I)
QA_NOT = re.compile(r"信访|举报|投诉|纪检|监督")
QA_INPUT = re.compile(r"问题|提问|咨询|输入|想问|请说|question|ask|msg|message|chat|send|content", re.I)
QA_SEND = re.compile(r"^\s*(发送|提问|提交|咨询|确定|send|ask)\s*$", re.I)
QA_FALLBACK = re.compile(
    r"没有理解|没理解|不理解|没听懂|听不懂|没能理解|不太明白|不明白|换个问法|换个说法|换一种问法|换种说法|重新描述|再说一遍"
    r"|无法回答|暂时无法|无法理解|无法识别|没有找到(相关|答案)|未找到(相关|答案)|找不到(相关|答案)|暂无(相关)?答案|不知道"
    r"|还在学习|正在学习|超出.{0,6}范围|转人工|请联系人工|请拨打12345", re.I)
QA_QUESTIONS = ("社保卡怎么办理？", "住房公积金怎么提取？", "营业执照怎么办理？", "居住证如何办理？", "新生儿怎么办理户口？")

# Elder-mode / accessibility entries, ordered: a real elder version first, the generic 无障碍 toolbar last.
ELDER_LABEL = re.compile(r"长者|关怀(版|模式|专版|专区)|(长者|适老|老年|老人)关怀|适老|老年(版|模式|人版|专区)|长辈|亲情版|敬老版|大字版|大字模式|老人版|无障碍|accessib|elder|barrier", re.I)
ELDER_STRONG = re.compile(r"长者|关怀|适老|老年|长辈|亲情版|敬老|大字|老人|aged|elder|old", re.I)
ELDER_NOT = re.compile(r"^(退出|关闭|返回|取消)|退出(长者|关怀|适老|无障碍)|返回(标准|普通|常规)|标准版|普通版")
ZOOM_IN = re.compile(r"^\s*(放大|A\s*\+|字体放大|文字放大|加大|大字|\+)\s*$|放大", re.I)

# Tools an elder/accessibility mode offers (工信部 规范 lists these).
ELDER_TOOLS = {
    "zoom": re.compile(r"放大|缩小|字号|字体大小|大字|A\s*\+|A\s*-|zoom", re.I),
    "contrast": re.compile(r"高对比|对比度|配色|反色|黑白|黑底|白底|色彩|contrast", re.I),
    "speech": re.compile(r"语音|朗读|读屏|指读|连读|声音|发音|播报|read\s*aloud|speech", re.I),
    "cursor": re.compile(r"大鼠标|鼠标|光标|指针|cursor", re.I),
    "crosshair": re.compile(r"十字线|辅助线|参考线|十字|crosshair|guide\s*line", re.I),
    "text_only": re.compile(r"纯文本|简约|文本模式|纯文字|text\s*only", re.I),
}

# Pop-ups, floating ads and induced downloads.
AD_WORDS = re.compile(r"(^|[-_\s])(ad|ads|advert\w*|guanggao|gg|piaochuang|floatad|float-?ad|popup|pop-?up|modal|tanchuang|couplet|duilian)([-_\s]|\d|$)|飘窗|弹窗|广告", re.I)
CLOSE_LABEL = re.compile(r"^\s*(关闭|×|x|X|close|✕|✖)\s*$|关闭", re.I)
DOWNLOAD_BAIT = re.compile(r"下载\s*(APP|App|app|客户端)|立即下载|扫码下载|免费下载|安装\s*(APP|App|app|客户端)|打开\s*APP", re.I)
AD_HOSTS = re.compile(r"doubleclick|googlesyndication|adservice|pos\.baidu|cpro\.baidu|union\.|tanx\.com|mediav|adsense|\bads?\.", re.I)

# Registration / login, and the privacy notice on those pages.
ACCOUNT_REGISTER = re.compile(r"注册|申请账号|创建账号|sign\s*up|register|regist", re.I)
ACCOUNT_LOGIN = re.compile(r"登录|登陆|用户中心|个人中心|我的空间|统一身份认证|sign\s*in|log\s*in|login", re.I)
ACCOUNT_NOT = re.compile(r"注册资本|注册地|注册登记|企业注册|注册商标|登记注册|退出登录|注销")
PRIVACY_LINK = re.compile(r"隐私|个人信息保护|个人信息处理|个人信息收集|用户协议|服务协议|注册协议|使用协议|用户须知|注册须知|服务条款|使用条款|privacy|agreement|terms", re.I)
CONSENT = re.compile(r"同意|已阅读|已读|阅读并|接受|知悉|agree|accept", re.I)

# Homophones and near forms common in government titles: one replaced makes a typo query.
TYPO_MAP = {
    "政": "正", "府": "付", "区": "曲", "县": "线", "局": "据", "工": "公", "作": "做", "会": "汇",
    "议": "意", "发": "法", "展": "站", "建": "见", "设": "社", "管": "官", "理": "里", "部": "步",
    "开": "凯", "告": "高", "通": "同", "知": "之", "度": "渡", "报": "抱", "全": "权", "安": "按",
    "经": "京", "济": "记", "策": "册", "规": "归", "划": "化", "动": "东", "态": "太", "闻": "文",
    "务": "物", "服": "福", "办": "班", "信": "心", "息": "系", "民": "明", "重": "众", "要": "耀",
    "实": "时", "施": "师", "方": "芳", "案": "按", "检": "简", "查": "察", "项": "向", "城": "成",
    "镇": "真", "村": "存", "农": "浓", "业": "叶", "生": "声", "产": "铲", "环": "还", "境": "镜",
    "保": "宝", "护": "户", "疫": "役", "防": "房", "控": "空", "教": "叫", "育": "玉", "医": "依",
    "疗": "辽", "交": "较", "路": "露", "水": "税", "利": "力", "财": "才", "召": "招", "举": "据",
    "行": "形", "活": "火", "座": "坐", "谈": "淡", "调": "掉", "研": "眼", "市": "是", "年": "念",
    "公": "工", "关": "官", "于": "与", "人": "仁", "事": "是", "新": "心", "化": "话", "推": "退",
    "进": "近", "加": "家", "强": "墙", "提": "题", "升": "生", "质": "致", "量": "亮", "高": "搞",
    "督": "都", "导": "到", "组": "祖", "织": "职", "领": "岭", "干": "赶",
}

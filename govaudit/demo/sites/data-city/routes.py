"""Dynamic pages of the data-city demo: a download endpoint that answers
with an HTML login page instead of the file (a planted case)."""

LOGIN = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>用户登录</title></head>
<body><h2>用户登录</h2><p>请先登录后再下载数据。</p><form method="post" action="/login">
<input name="user"><input name="password" type="password"><button>登录</button></form></body></html>"""


def handle(req):
    if req.path == "/download":
        return 200, {"Content-Type": "text/html; charset=utf-8"}, LOGIN
    return None

"""portal-county: an attachment link that answers with an HTML login page."""

LOGIN = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'><title>用户登录</title></head>"
         "<body><form><p>请先登录后下载附件</p><input name='user'><input name='pwd' type='password'></form></body></html>")


def handle(req):
    if req.path.startswith("/files/") and req.path.endswith(".doc"):
        return 200, {"Content-Type": "text/html"}, LOGIN
    return None

"""Stand-in for the record and badge services the footers link to (beian, conac):
any path answers 200, as the real services do for a registered site."""


def handle(req):
    return 200, {"Content-Type": "text/html; charset=utf-8"}, "<html><head><title>备案信息</title></head><body>已备案</body></html>"

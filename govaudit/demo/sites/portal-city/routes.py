"""portal-city: the homepage answers with security headers (X-Frame-Options,
X-Content-Type-Options, Content-Security-Policy)."""
from pathlib import Path

HERE = Path(__file__).parent
SECURITY_HEADERS = {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff",
                    "Content-Security-Policy": "frame-ancestors 'self'"}


def handle(req):
    if req.path in ("/", "/index.html"):
        return 200, {"Content-Type": "text/html; charset=utf-8", **SECURITY_HEADERS}, \
            (HERE / "index.html").read_text(encoding="utf-8")
    return None

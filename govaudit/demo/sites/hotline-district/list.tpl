<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>来信选登</title></head>
<body><div id="hd"><img src="/img/logo.gif" alt="某某区区长信箱"><b>某某区区长信箱</b></div>
<div id="nav"><a href="/">首页</a><a href="/letters">来信选登</a><a href="/faq/index.html">常见问题</a><a href="/about.html">联系我们</a></div>
<div id="main"><h3>来信选登</h3>
<div class="letters">
ROWS
</div>
<div class="pages">PAGER</div></div>
<div id="ft">某某区人民政府办公室主办　网站标识码：3301060098</div></body></html>

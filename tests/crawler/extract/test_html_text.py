"""The text helpers read libxml2's text (crawler/extract/html.py): the same strings as
lxml's itertext(), on markup that could tell them apart; page_facts gives a caller's tree back."""
import random
from contextlib import nullcontext

from lxml import etree

from crawler.extract import page_facts
from crawler.extract.html import code_muted, node_text, parse, squash, txt

PIECES = ["<div>", "</div>", "<p>", "</p>", "<a href='x'>", "</a>", "<span>", "</span>", "<script>", "</script>",
          "<style>", "</style>", "<template>", "</template>", "<noscript>", "</noscript>", "<textarea>", "</textarea>",
          "<title>", "</title>", "<br>", "<img alt='i'>", "<table>", "<tr>", "<td>", "</td>", "</table>", "<li>",
          "<!-- c -->", "<!--", "-->", "<![CDATA[ cd ]]>", "<?pi x?>", "&amp;", "&nbsp;", "&#x3000;", "&foo;", "</body>",
          "</html>", "<body>", "\x01", "\ufffe", " ", "\t", "\r\n", "\u3000", "\xa0", "\u2028", "文字", "abc", "<", ">",
          "<xmp>", "</xmp>", "<o:p>", "</o:p>", "<svg><text>s</text></svg>", "<![if !supportLists]>", "<![endif]>"]


def test_txt_and_node_text_equal_itertext():
    rnd = random.Random(7)
    for _ in range(400):
        tree = parse("".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 40))))
        for muted in (False, True):
            with code_muted(tree) if muted else nullcontext():
                for el in tree.iter(etree.Element):
                    assert txt(el) == squash("".join(el.itertext()))
                    assert node_text(el) == squash(" ".join(el.itertext()))


def test_page_facts_gives_a_callers_tree_back():
    html = ("<html><head><title>某某市人民政府</title><script>var a = '<p>x</p>';</script></head><body>"
            "<template><p>模板</p></template><ul><li><a href='/a/1.html'>关于开展某某工作的通知</a>"
            "<span>2026-11-20</span></li></ul><style>p{}</style></body></html>")
    tree = parse(html)
    before = etree.tostring(tree, encoding=str)
    given = page_facts("http://www.example.gov.cn/", html, tree=tree)
    assert etree.tostring(tree, encoding=str) == before
    assert given == page_facts("http://www.example.gov.cn/", html)

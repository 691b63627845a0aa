from crawler.traps import TrapGuard, canonical


def test_canonical_drops_session_ids_and_sorts_the_query():
    assert canonical("http://A.gov.cn/list.jsp;jsessionid=ABC123?b=2&a=1&PHPSESSID=x") == "http://a.gov.cn/list.jsp?a=1&b=2"
    assert canonical("http://a.gov.cn/x?a=1&b=2") == canonical("http://a.gov.cn/x?b=2&a=1")


def test_repeated_segments_and_depth():
    g = TrapGuard()
    assert g.reason("http://a.gov.cn/news/news/news/1.html") == "repeated_segments"
    assert g.reason("http://a.gov.cn/a/b/a/b") == "repeated_segments"
    assert g.reason("http://a.gov.cn/" + "/".join(f"s{i}" for i in range(20))) == "deep_path"
    assert g.reason("http://a.gov.cn/xwdt/2026/11/1.html") is None


def test_calendar_pages_are_capped():
    g = TrapGuard(max_calendar=12)
    got = [g.admit(f"http://a.gov.cn/cal.jsp?year=2026&month={m}")[1] for m in range(1, 31)]
    assert got.count(None) == 12 and set(got[12:]) == {"calendar"}
    assert g.skipped == {"calendar": 18}


def test_query_permutations_are_capped_per_pattern():
    g = TrapGuard(max_variants=50)
    got = [g.admit(f"http://a.gov.cn/search?q=x&sort={i}")[1] for i in range(60)]
    assert got.count(None) == 50 and got[-1] == "query_permutations"
    # a single parameter is how many CMSs address articles: never capped
    assert all(g.admit(f"http://a.gov.cn/content.jsp?id={i}")[1] is None for i in range(200))

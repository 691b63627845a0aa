from datetime import date

from crawler.extract.pii import find_pii, id_check_char, mask_id, valid_id
from crawler.extract.privacy import privacy_topics

TODAY = date(2026, 11, 22)
# GB 11643 example number: check digit X
SAMPLE_ID = "11010519491231002X"


def test_check_digit():
    assert id_check_char(SAMPLE_ID[:17]) == "X"
    assert valid_id(SAMPLE_ID, TODAY)
    assert not valid_id("110105194912310021", TODAY)     # wrong check digit
    assert not valid_id("110105194913310023", TODAY)     # month 13


def test_id_found_and_masked():
    hits = find_pii(f"申请人：张三，身份证号码：{SAMPLE_ID}，现住某某村。", TODAY)
    assert hits == [{"type": "id_number", "masked": "110105**********2X",
                     "snippet": "申请人：张三，身份证号码：110105**********2X，现住某某村。"}]
    assert SAMPLE_ID not in str(hits)


def test_random_18_digits_are_not_an_id():
    assert find_pii("订单编号 110105194912310021 已受理", TODAY) == []


def test_mobile_only_in_personal_context():
    assert find_pii("政务服务咨询电话：13800138000", TODAY) == []
    hits = find_pii("投诉人：李四，联系电话 13912345678，反映噪音问题", TODAY)
    assert [(h["type"], h["masked"]) for h in hits] == [("mobile", "139****5678")]
    assert "13912345678" not in hits[0]["snippet"]


def test_a_number_cut_by_the_snippet_window_is_left_out():
    text = f"申请人：张三，身份证号码：{SAMPLE_ID}\n投诉人：李四，联系电话 139 1234 5678，反映问题"
    hits = find_pii(text, TODAY)
    assert hits[0]["snippet"] == "申请人：张三，身份证号码：110105**********2X\n投诉人：李四，联系电话"
    assert hits[1]["snippet"] == "投诉人：李四，联系电话 139****5678，反映问题"   # the ID's cut tail left out
    before = find_pii("联系人王五 手机 13912345678" + "，" * 4 + f"{SAMPLE_ID}", TODAY)
    assert [h["snippet"] for h in before] == ["五 手机 139****5678，，，，110105**********2X", "联系人王五 手机 139****5678，，，，"]


def test_masks_never_leak_neighbouring_numbers():
    text = f"姓名：王五 身份证{SAMPLE_ID} 手机13912345678"
    for h in find_pii(text, TODAY):
        assert SAMPLE_ID not in h["snippet"] and "13912345678" not in h["snippet"]


def test_mask_shape():
    assert mask_id(SAMPLE_ID) == "110105**********2X"


def test_privacy_topics():
    text = ("我们收集的个人信息范围包括姓名和联系方式，收集目的是办理业务。我们使用您的个人信息仅用于提供服务。"
            "未经同意不会向第三方共享、转让或公开披露。信息存储在中华人民共和国境内，保存期限为业务办结后三年。"
            "我们采取加密、访问控制等安全措施。您可以查询、更正、删除您的个人信息。如需投诉，请联系我们。")
    assert privacy_topics(text) == ["purpose_scope", "use", "sharing", "storage", "security", "rights", "contact"]
    assert privacy_topics("本网站尊重并保护所有使用服务用户的个人隐私权。") == []

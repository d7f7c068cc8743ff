"""core.web.service_errors: a service's English refusal in Chinese, beside the right field."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from core.api.errors import ApiError
from core.web import service_errors as se


class Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("name")
    weight = StringField("weight")
    f_size = StringField("size")
    tags = StringField("tags")
    version = HiddenField()


@pytest.fixture
def zh(app_ctx):
    with app_ctx.test_request_context(method="POST"), force_locale("zh"):
        yield


def test_marshmallow_messages_keep_their_figures(zh):
    assert se.translate("Must be greater than or equal to 1 and less than or equal to 5.") == "必须在 1 到 5 之间。"
    assert se.translate("Must be greater than or equal to 0.5.") == "不能小于 0.5。"
    assert se.translate("Must be greater than 0.") == "必须大于 0。"
    assert se.translate("Must be less than or equal to 2026-01-01.") == "不能大于 2026-01-01。"
    assert se.translate("Must be one of: cash, wechat.") == "必须是以下之一：cash, wechat。"
    assert se.translate("Longer than maximum length 200.") == "太长：最多 200。"
    assert se.translate("Length must be 4.") == "须填写 4 个值。"
    assert se.translate("Missing data for required field.") == se.translate("Field may not be null.") == "此项必填。"
    assert se.translate("Not a valid integer.") == "请输入整数。"


def test_a_domain_table_comes_first_and_an_unknown_message_is_shown_as_written(zh):
    table = se.MessageTable(
        exact={"Already taken.": _l("This username is already taken.")},
        patterns=((r"Must be one of: .*\.", _l("Not one of the allowed values.")),
                  (r"Password must be at least (?P<n>\d+) characters long\.",
                   _l("Password must be at least %(n)s characters long."))))
    assert se.translate("Must be one of: a, b.", table) == "不是可选值之一。"
    assert se.translate("Must be one of: a, b.") == "必须是以下之一：a, b。"
    assert se.translate("Password must be at least 12 characters long.", table) == "密码至少需要 12 个字符。"
    assert se.translate("Already taken.", table) == "该用户名已被使用。"
    assert se.translate("Something nobody translated (42).", table) == "Something nobody translated (42)."
    assert se.translate(None) == ""
    found = se.lookup("Password must be at least 12 characters long.", table)
    assert found.groups == {"n": "12"}
    assert se.lookup("Something else.", table) is None


def test_nested_errors_are_flattened_to_dotted_names():
    errors = {"items": {"0": {"weight": ["a"], "_schema": ["b"]}}, "_schema": ["c"],
              "attributes.size": [{"0": ["d"]}], "name": "e"}
    assert se.flat(errors) == {"items.0.weight": ["a"], "items.0": ["b"], "": ["c"],
                               "attributes.size.0": ["d"], "name": ["e"]}
    assert se.flat(None) == {}


def test_errors_go_beside_the_mapped_or_nearest_field(zh):
    form = Form()
    exc = ApiError(422, "invalid", {
        "items": {"0": {"weight": ["Not a valid number."]}},
        "attributes.size": {"1": ["Longer than maximum length 5."]},
        "name": {"_schema": ["Missing data for required field."]},
        "tags.2": ["Not a valid string."],
    })
    se.show_errors(form, exc, fields={"items.0.weight": "weight", "attributes.size": "f_size"})
    assert form.weight.errors == ["不是有效的数字。"]
    assert form.f_size.errors == ["太长：最多 5。"]
    assert form.name.errors == ["此项必填。"]
    assert form.tags.errors == ["不是有效的文字。"]  # tags.2 → tags
    assert form.form_errors == []  # every error found its field: the sentence is not repeated


def test_itemise_says_which_item_of_a_list_field(zh):
    form = Form()
    se.show_errors(form, ApiError(422, "invalid", {"tags": {"1": ["Not a valid string."]}}), itemise=True)
    assert form.tags.errors == ["第 2 项：不是有效的文字。"]


def test_unknown_and_hidden_fields_go_above_the_form(zh):
    form = Form()
    exc = ApiError(409, "stale", {"version": ["Must be greater than 0."], "colour": ["Unknown field."],
                                  "_schema": ["Not a valid mapping type."]})
    se.show_errors(form, exc)
    assert not form.version.errors  # an error beside a hidden input would not be seen
    assert sorted(form.form_errors) == sorted(["必须大于 0。", "未定义的数据项。", "不是有效的对象。"])
    left = se.place(Form(), exc.errors)
    assert sorted(left) == sorted([("version", "必须大于 0。"), ("colour", "未定义的数据项。"),
                                   ("", "不是有效的对象。")])


def test_the_message_shows_when_no_field_is_named(zh):
    form = Form()
    se.show_errors(form, ApiError(409, "Not a valid number.", None))
    assert form.form_errors == ["不是有效的数字。"]
    form = Form()
    se.show_errors(form, ApiError(409, "Someone else changed it.", {}))
    assert form.form_errors == ["Someone else changed it."]


def test_summary_shows_the_services_sentence_for_what_names_no_visible_field(zh):
    form = Form()
    exc = ApiError(409, "该问题已被他人修改，请刷新后重试。", {"version": ["版本已过期。"], "name": ["不能为空。"]})
    se.show_errors(form, exc, summary=True)
    assert form.name.errors == ["不能为空。"]
    assert form.form_errors == ["该问题已被他人修改，请刷新后重试。"]
    form = Form()
    se.show_errors(form, ApiError(422, "name: 不能为空。", {"name": ["不能为空。"]}), summary=True)
    assert form.name.errors == ["不能为空。"] and form.form_errors == []

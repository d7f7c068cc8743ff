"""Brand coverage of a subtree (一村一亮点、一乡镇一特色、一支部一品牌): the three figures of the
subtree and of each organisation directly below its root, each part a link to its own."""

from __future__ import annotations

from flask import abort, render_template, request

from core.brands import coverage as figures
from core.web.blueprint import bp, page
from core.web.scope import org_by_code, root_for_request
from core.web.screens.brands import forms


@bp.route("/brands/coverage")
@page
def brand_coverage():
    form = forms.CoverageForm(request.args)
    status = 200
    root = None
    if form.code.data:
        root = org_by_code(form.code.data)
        if root is None:
            from flask_babel import gettext as _

            form.code.errors = [_("No organisation with this code that you can see.")]
            status = 422
    if root is None:
        root = root_for_request()
    if root is None:
        abort(404)
    form.code.data = root.code
    return render_template("web/brands/coverage.html", form=form, result=figures.coverage(root),
                           labels=figures.FIGURE_LABELS), status

"""Choice lists render as Bootstrap form-checks: the class on each box, never on the wrapper."""

from __future__ import annotations

import re

from django import forms


class ChoicesForm(forms.Form):
    groups = forms.MultipleChoiceField(
        choices=[("children", "Children"), ("women", "Women")], widget=forms.CheckboxSelectMultiple
    )


def test_checkbox_list_puts_the_bootstrap_class_on_each_box_only():
    html = str(ChoicesForm())
    wrapper = re.search(r'<div id="id_groups"[^>]*>', html)
    assert wrapper is not None and "form-check-input" not in wrapper.group(0)
    assert html.count('class="form-check-input') == 2
    assert html.count('<div class="form-check">') == 2
    assert '<label class="form-check-label" for="id_groups_0">Children</label>' in html

"""The take page's answer fields, rendered once per content version and filled per attempt:
each attempt gets its own field names and values, whatever the content says."""

import re

from training.quizzes.fragments import answer_lines

# Texts holding the very marks the rendered-once lines use for the attempt's ids.
ORDERING = {
    "id": "steps",
    "type": "ordering",
    "items": [{"id": "a1", "text": "<name> first"}, {"id": "a2", "text": "then <value>"}],
}
MATCHING = {
    "id": "pairs",
    "type": "matching",
    "lefts": [{"id": "l1", "text": "<options>"}, {"id": "l2", "text": "B & C"}],
    "rights": [{"id": "r1", "text": "<value>"}, {"id": "r2", "text": "<name>"}],
}


def _with_ids(view: dict, suffix: str) -> dict:
    """The same question as another attempt shows it: its own ids, the same texts."""
    renamed = {"id": view["id"], "type": view["type"]}
    for parts in ("items", "lefts", "rights"):
        if parts in view:
            renamed[parts] = [{**part, "id": part["id"] + suffix} for part in view[parts]]
    return renamed


def _selects(html: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per select name: its option values and the selected ones."""
    found = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        options = re.findall(r'<option value="([^"]*)"( selected)?>', body)
        found[name] = ([value for value, _ in options], [v for v, chosen in options if chosen])
    return found


def test_each_attempt_gets_its_own_ids_and_the_content_stays_text(app):
    with app.test_request_context():
        first = answer_lines("v1", "en", [ORDERING, MATCHING], {"steps": ["a2", "a1"]})
        second_views = [_with_ids(ORDERING, "x"), _with_ids(MATCHING, "x")]
        # A step placed past the last (a longer answer than the steps) shows no position.
        answers = {"steps": ["a1x", "zz", "a2x"], "pairs": {"l2x": "r1x", "l1x": "nowhere"}}
        second = answer_lines("v1", "en", second_views, answers)

    ordering = _selects(first["steps"])
    assert {name: chosen for name, (_, chosen) in ordering.items()} == {
        "q-steps-a1": ["2"],
        "q-steps-a2": ["1"],
    }
    ordering = _selects(second["steps"])
    assert {name: chosen for name, (_, chosen) in ordering.items()} == {
        "q-steps-a1x": ["1"],
        "q-steps-a2x": [],
    }
    assert all(values == ["", "1", "2"] for values, _ in ordering.values())
    matching = _selects(second["pairs"])
    assert matching == {
        "q-pairs-l1x": (["", "r1x", "r2x"], []),  # an answer naming no item selects nothing
        "q-pairs-l2x": (["", "r1x", "r2x"], ["r1x"]),
    }
    # The content's own "<name>", "<value>" and "<options>" are shown as text, escaped.
    assert "&lt;name&gt; first" in second["steps"] and "then &lt;value&gt;" in second["steps"]
    assert second["pairs"].count("&lt;options&gt;") == 2  # the left's text and its label
    assert ">&lt;value&gt;</option>" in second["pairs"] and "B &amp; C" in second["pairs"]

"""Chinese line breaking in sheet cells: the quick path for all-Chinese text breaks exactly
as the general, token-by-token one does, and keeps the punctuation rules."""

import random

from inspect_app.spreadsheets.sheets import (
    NO_LINE_END,
    NO_LINE_START,
    _width,
    _wrap_tokens,
    wrap_label,
    wrap_lines,
)

WIDE = "企业反映项目施工许可证办理时间较长消防设计审查意见反复修改"
PUNCTUATION = "".join(sorted(c for c in NO_LINE_START | NO_LINE_END if not c.isascii()))


def test_all_chinese_text_breaks_as_the_general_path_does():
    chance = random.Random(10)
    for _ in range(3000):
        text = "".join(chance.choice(WIDE + PUNCTUATION * 2) for _ in range(chance.randint(1, 90)))
        capacity = chance.choice([2, 3, 7, 11.9, 26.4, 71.5])
        general: list[str] = []
        _wrap_tokens(text, max(2, int(capacity)), general)
        lines = wrap_lines(text, capacity)
        assert lines == (general if _width(text) > int(capacity) else [text])
        assert "".join(lines) == text


def test_a_long_description_never_starts_a_line_with_a_comma():
    text = "企业反映（项目）施工许可证办理时间较长，消防设计审查意见反复修改，影响主体工程开工。"
    lines = wrap_lines(text * 3, 26)
    assert len(lines) > 3 and all(len(line.encode()) <= 26 * 3 // 2 for line in lines)
    assert not any(line[0] in NO_LINE_START for line in lines)
    assert not any(line[-1] in NO_LINE_END for line in lines)


def test_repeated_names_break_like_any_text():
    assert list(wrap_label("第12视察组（东城）", 7)) == wrap_lines("第12视察组（东城）", 7)

"""Chinese line breaking in sheet cells: the quick paths break exactly as the rules were
first written (token by token, below), and keep the punctuation rules."""

import random
import re
from bisect import bisect_right
from itertools import accumulate

from inspect_app.spreadsheets.sheets import (
    NO_LINE_END,
    NO_LINE_START,
    label_cell,
    wrap_lines,
)

TOKEN = re.compile(r"[A-Za-z0-9_@#$&+\-=./:%]+|\s+|.")


def first_written(text: str, capacity: float) -> list[str]:
    """wrap_lines as it was first written: every token measured in a Python loop."""
    capacity = max(2, int(capacity))
    lines = []
    for paragraph in text.split("\n"):
        if (len(paragraph.encode("utf-8")) + len(paragraph)) // 2 <= capacity:
            lines.append(paragraph)
            continue
        tokens = TOKEN.findall(paragraph)
        if max(map(len, tokens)) >= capacity:
            tokens = [
                t[i : i + capacity - 1] for t in tokens for i in range(0, len(t), capacity - 1)
            ]
        ends = list(accumulate([len(t) if t.isascii() else 2 for t in tokens], initial=0))
        start, count = 0, len(tokens)
        while start < count:
            cut = bisect_right(ends, ends[start] + capacity) - 1
            if cut >= count:
                lines.append("".join(tokens[start:]))
                break
            cut = max(cut, start + 1)
            while cut - 1 > start and tokens[cut][0] in NO_LINE_START:
                cut -= 1
            while cut - 1 > start and tokens[cut - 1][-1] in NO_LINE_END:
                cut -= 1
            lines.append("".join(tokens[start:cut]).rstrip())
            while cut < count and tokens[cut].isspace():
                cut += 1
            start = cut
    return lines


WIDE = "企业反映项目施工许可证办理时间较长消防设计审查意见反复修改"
PUNCTUATION = "".join(sorted(c for c in NO_LINE_START | NO_LINE_END if not c.isascii()))
LATIN = ["G107", "3", "120", "km", "2025-07-21", "a" * 30, " ", "  ", "(", ")", ",", "."]
RARE = ["　", "é", "·", "😀", "\u00a0", "\n"]


def random_texts(pieces: list[str], count: int):
    chance = random.Random(len(pieces))
    for _ in range(count):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(1, 90)))
        yield text, chance.choice([2, 3, 7, 11.9, 26.4, 71.5])


def test_all_chinese_text_breaks_as_first_written():
    for text, capacity in random_texts(list(WIDE + PUNCTUATION * 2), 3000):
        assert wrap_lines(text, capacity) == first_written(text, capacity)


def test_text_with_numbers_latin_and_rare_characters_breaks_as_first_written():
    pieces = list(WIDE + PUNCTUATION) + LATIN * 2
    for text, capacity in random_texts(pieces, 3000):
        assert wrap_lines(text, capacity) == first_written(text, capacity)
    for text, capacity in random_texts(pieces + RARE, 3000):
        assert wrap_lines(text, capacity) == first_written(text, capacity)


def test_a_long_description_never_starts_a_line_with_a_comma():
    text = "企业反映（项目）施工许可证办理时间较长，消防设计审查意见反复修改，影响主体工程开工。"
    lines = wrap_lines(text * 3, 26)
    assert len(lines) > 3 and all(len(line.encode()) <= 26 * 3 // 2 for line in lines)
    assert not any(line[0] in NO_LINE_START for line in lines)
    assert not any(line[-1] in NO_LINE_END for line in lines)


def test_repeated_names_break_like_any_text():
    name = "第12视察组（东城）"
    assert label_cell(name, 7) == ("\n".join(wrap_lines(name, 7)), len(wrap_lines(name, 7)))
    assert label_cell("东城组", 7) == ("东城组", 1)

"""The 统计 sheet's figures, counted from the ledger's rows as they are written.

Kept small on purpose: the shared stats module will replace the gathering; the writer only
takes the blocks (heading, header row, rows).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from inspect_app.spreadsheets.rows import ProblemRow
from inspect_app.spreadsheets.sheets import Block

RATE_HEADERS = ["问题数", "已交办", "已办结", "超期", "办结率", "满意率", "按期答复率"]
RATE_KINDS = ["int", "int", "int", "int", "percent", "percent", "percent"]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Tally:
    """Counts of one group of problems, with the headline rates."""

    def __init__(self):
        self.counts = Counter()

    def add(self, row: ProblemRow) -> None:
        c = self.counts
        c["problems"] += 1
        c["assigned"] += row.assigned
        c["closed"] += row.closed
        c["overdue"] += row.overdue
        c["answered"] += row.answered
        c["in_time"] += row.answered_in_time
        c["rated"] += row.rated
        c["satisfied"] += row.satisfied

    def figures(self) -> list:
        c = self.counts
        return [
            c["problems"],
            c["assigned"],
            c["closed"],
            c["overdue"],
            rate(c["closed"], c["assigned"]),
            rate(c["satisfied"], c["rated"]),
            rate(c["in_time"], c["answered"]),
        ]


class LedgerFigures:
    """Watches ProblemRows go by and turns them into the 统计 sheet's blocks."""

    def __init__(self):
        self.total = Tally()
        self.by = {k: defaultdict(Tally) for k in ("group", "town", "category", "lead")}
        self.status, self.co = Counter(), Counter()

    def watch(self, rows: Iterable[ProblemRow]) -> Iterator[ProblemRow]:
        for row in rows:
            self.add(row)
            yield row

    def add(self, row: ProblemRow) -> None:
        self.total.add(row)
        self.by["group"][row.group].add(row)
        self.by["town"][row.town or "（未填）"].add(row)
        self.by["category"][row.category].add(row)
        self.by["lead"][row.lead_department or "（未交办）"].add(row)
        self.status[row.status] += 1
        for name in filter(None, row.co_departments.split("、")):
            self.co[name] += 1

    def blocks(self) -> list[Block]:
        blocks = [
            Block(
                "总计", ["项目", *RATE_HEADERS], [["全部问题", *self.total.figures()]], RATE_KINDS
            )
        ]
        for key, heading, first in (
            ("group", "按视察组", "视察组"),
            ("town", "按镇街", "镇街"),
            ("category", "按问题类别", "问题类别"),
            ("lead", "按主办单位", "主办单位"),
        ):
            rows = [[name, *tally.figures()] for name, tally in self._ordered(key)]
            blocks.append(Block(heading, [first, *RATE_HEADERS], rows, RATE_KINDS))
        if self.co:
            rows = [[k, v] for k, v in sorted(self.co.items(), key=lambda kv: (-kv[1], kv[0]))]
            blocks.append(Block("协办单位", ["协办单位", "协办问题数"], rows))
        rows = [[k, v] for k, v in self.status.items()]
        blocks.append(Block("按办理状态", ["办理状态", "问题数"], rows))
        return blocks

    def _ordered(self, key: str):
        items = self.by[key].items()
        if key == "group":  # rows arrive in the groups' own order
            return items
        return sorted(items, key=lambda kv: (-kv[1].counts["problems"], kv[0]))

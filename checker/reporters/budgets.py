"""`raci budgets --format table|markdown|csv|json`: the funding view, printed.

Tables are for people (thousands separators, currency codes); CSV and JSON are
for spreadsheets and programs (plain decimal strings, never floats: a JSON
number would be read back as a binary float and lose the cent). Ids, parties
and periods come from the policy files (a period is free text), so every
format escapes them for where they land.
"""

from __future__ import annotations

import csv
import io
import json

from ..funding import FundingView
from ..money import decimal_text, money, percent
from .escape import comment_cell, csv_cell, json_text, terminal

FORMATS = ("table", "markdown", "csv", "json")


def render(view: FundingView, fmt: str) -> str:
    return {"table": _table, "markdown": _markdown, "csv": _csv, "json": _json}[fmt](view)


def _sections(view: FundingView) -> list[tuple[str, list[str], list[list[str]]]]:
    budgets = [
        [
            b.id if i == 0 else "",
            (b.pool or "-") if i == 0 else "",
            b.period if i == 0 else "",
            money(b.amount, b.currency) if i == 0 else "",
            s.party,
            percent(s.share),
            money(s.amount, b.currency),
        ]
        for b in view.budgets
        for i, s in enumerate(b.splits)
    ]
    parties = [[p.party, p.period, money(p.amount, p.currency), ", ".join(p.budgets)] for p in view.parties]
    pools = [
        [
            p.id,
            p.period,
            money(p.amount, p.currency),
            money(p.committed, p.currency),
            money(p.available, p.currency),
            percent(p.used),
            "OVERCOMMITTED" if p.overcommitted else "",
        ]
        for p in view.pools
    ]
    return [
        ("Budgets", ["budget", "pool", "period", "amount", "party", "share", "funds"], budgets),
        ("Funding by party", ["party", "period", "total", "budgets"], parties),
        ("Pools", ["pool", "period", "amount", "committed", "available", "used", ""], pools),
    ]


def _table(view: FundingView) -> str:
    from tabulate import tabulate

    parts = []
    for title, headers, rows in _sections(view):
        # Escaped before tabulate sees them: it breaks a cell into lines at every
        # line break `str.splitlines` knows (CR, NEL and U+2028 among them).
        rows = [[terminal(cell) for cell in row] for row in rows]
        align = [
            "right" if h in ("amount", "share", "funds", "total", "committed", "available", "used") else "left"
            for h in headers
        ]
        body = (
            tabulate(rows, headers=headers, tablefmt="simple", colalign=align, disable_numparse=True)
            if rows
            else "(none)"
        )
        parts.append(f"{title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def _markdown(view: FundingView) -> str:
    from tabulate import tabulate

    parts = []
    for title, headers, rows in _sections(view):
        escaped = [[comment_cell(cell) for cell in row] for row in rows]
        body = tabulate(escaped, headers=headers, tablefmt="github", disable_numparse=True) if rows else "_none_"
        parts.append(f"### {title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


_CSV_COLUMNS = [
    "section", "budget", "pool", "party", "currency", "period",
    "percent", "amount", "committed", "available", "used_percent", "overcommitted",
]  # fmt: skip


def _csv(view: FundingView) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for b in view.budgets:
        for s in b.splits:
            writer.writerow(
                {
                    "section": "split",
                    "budget": csv_cell(b.id),
                    "pool": csv_cell(b.pool or ""),
                    "party": csv_cell(s.party),
                    "currency": csv_cell(b.currency),
                    "period": csv_cell(b.period),
                    "percent": decimal_text(s.share * 100),
                    "amount": decimal_text(s.amount),
                }
            )
    for p in view.parties:
        writer.writerow(
            {
                "section": "party",
                "budget": csv_cell(" ".join(p.budgets)),
                "party": csv_cell(p.party),
                "currency": csv_cell(p.currency),
                "period": csv_cell(p.period),
                "amount": decimal_text(p.amount),
            }
        )
    for pool in view.pools:
        writer.writerow(
            {
                "section": "pool",
                "budget": csv_cell(" ".join(pool.budgets)),
                "pool": csv_cell(pool.id),
                "currency": csv_cell(pool.currency),
                "period": csv_cell(pool.period),
                "amount": decimal_text(pool.amount),
                "committed": decimal_text(pool.committed),
                "available": decimal_text(pool.available),
                "used_percent": decimal_text(pool.used * 100),
                "overcommitted": str(pool.overcommitted).lower(),
            }
        )
    return out.getvalue()


def _json(view: FundingView) -> str:
    document = {
        "version": 1,
        "budgets": [
            {
                "id": b.id,
                "pool": b.pool,
                "currency": b.currency,
                "period": b.period,
                "amount": decimal_text(b.amount),
                "allocated_percent": decimal_text(b.allocated * 100),
                "splits": [
                    {"party": s.party, "percent": decimal_text(s.share * 100), "amount": decimal_text(s.amount)}
                    for s in b.splits
                ],
            }
            for b in view.budgets
        ],
        "parties": [
            {
                "party": p.party,
                "currency": p.currency,
                "period": p.period,
                "amount": decimal_text(p.amount),
                "budgets": list(p.budgets),
            }
            for p in view.parties
        ],
        "pools": [
            {
                "id": p.id,
                "currency": p.currency,
                "period": p.period,
                "amount": decimal_text(p.amount),
                "committed": decimal_text(p.committed),
                "available": decimal_text(p.available),
                "used_percent": decimal_text(p.used * 100),
                "overcommitted": p.overcommitted,
                "budgets": list(p.budgets),
            }
            for p in view.pools
        ],
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"

import csv
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO


@dataclass(frozen=True)
class Line:
    client: str
    task: str
    hours: Decimal


def read_hours(text: str) -> list[Line]:
    rows = csv.DictReader(StringIO(text))
    return [Line(r["client"].strip(), r["task"].strip(), Decimal(r["hours"])) for r in rows]


def invoices(lines: list[Line], rate: Decimal) -> dict[str, str]:
    by_client: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_client[line.client].append(line)
    out = {}
    for client, items in sorted(by_client.items()):
        total = sum((i.hours for i in items), Decimal(0))
        body = "\n".join(f"  {i.task:<30} {i.hours:>6} h" for i in items)
        out[client] = f"Invoice for {client}\n{body}\n  {'Total':<30} {total * rate:>8.2f}\n"
    return out

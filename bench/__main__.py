"""Run every `bench/bench_*.py` module's `run()` and print one table of (benchmark, figure, target)."""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    rows: list[tuple[str, str, str]] = []
    failed = 0
    for name in names:
        started = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            rows.extend(module.run())
        except Exception:
            failed += 1
            traceback.print_exc()
            rows.append((name, "ERROR", "see the traceback above"))
        print(f"  {name} took {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    widths = [max(len(r[i]) for r in [("benchmark", "figure", "target"), *rows]) for i in range(3)]
    header = ("benchmark", "figure", "target")
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

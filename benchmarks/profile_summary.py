"""Summarise py-spy's raw (collapsed-stack) profiles: where the samples are.

Record each process with ``py-spy record --format raw``, then::

    .venv/bin/py-spy record --pid PID --duration 50 --rate 40 --format raw -o worker-1.txt
    .venv/bin/python benchmarks/profile_summary.py worker-1.txt worker-2.txt

Prints the share of all samples in each function's own code ("self") and in
each function with what it calls ("inclusive", the project's functions and
the database layers only), as percentages of the samples of every file given.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"(\S+) \((.*?):\d+\)")
_SHOWN = ("interop", "sqlalchemy", "psycopg")


def _name(frame: str) -> tuple[str, str]:
    """(function (file), path) of a py-spy frame ``function (path:line)``."""
    found = _FRAME.match(frame.strip())
    if found is None:
        return frame.strip(), ""
    return f"{found.group(1)} ({Path(found.group(2)).name})", found.group(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profiles", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    paths: dict[str, str] = {}
    total = 0
    for profile in args.profiles:
        for line in profile.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = [_name(f) for f in stack.split(";")]
            paths.update(frames)
            own[frames[-1][0]] += n
            for name in {name for name, _ in frames}:
                inclusive[name] += n
    print(f"samples: {total}")
    print("self:")
    for name, n in own.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {name}")
    print("inclusive:")
    shown = [
        (name, n) for name, n in inclusive.most_common() if any(s in paths[name] for s in _SHOWN)
    ]
    for name, n in shown[: args.top]:
        print(f"  {100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()

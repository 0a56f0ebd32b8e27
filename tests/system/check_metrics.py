#!/usr/bin/python3
"""Reads a /metrics exposition on stdin and checks it the way a Prometheus server would: it must
parse, and no series (name and labels) may appear twice. Prints what is wrong; exit 1 if so."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    seen = set()
    problems = []
    families = 0
    try:
        for family in text_string_to_metric_families(text):
            families += 1
            for s in family.samples:
                key = (s.name, tuple(sorted(s.labels.items())))
                if key in seen:
                    problems.append(f"duplicate series {s.name}{dict(key[1])}")
                seen.add(key)
    except ValueError as e:
        problems.append(f"does not parse: {e}")
    for p in problems:
        print(p)
    print(f"{families} families, {len(seen)} series, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

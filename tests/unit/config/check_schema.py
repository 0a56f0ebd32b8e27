#!/usr/bin/python3
"""Keeps config/schema/bessd.schema.json honest: every shipped configuration validates against it,
and documents the parser rejects are rejected by the schema too."""
import json
import pathlib
import re
import sys

import jsonschema

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "config/schema/bessd.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)


def strip_comments(text):
    # Same comment forms the parser accepts: // to end of line and /* */, outside strings.
    out, i, in_str = [], 0, False
    while i < len(text):
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        else:
            out.append(c)
        i += 1
    return json.loads("".join(out))


failures = 0
files = [root / "config/bessd.example.json"]
for sub in ("examples", "demo"):
    files += sorted((root / "config" / sub).glob("*.json")) if (root / "config" / sub).is_dir() else []
if (root / "config/demo.json").exists():
    files.append(root / "config/demo.json")
for f in files:
    errors = list(validator.iter_errors(strip_comments(f.read_text())))
    for e in errors:
        print(f"FAIL {f}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    failures += bool(errors)
    print(f"ok   {f.relative_to(root)}" if not errors else "", end="\n" if not errors else "")

minimal = {"site": {"jurisdiction": "GB", "location": "outdoor_wall"},
           "battery": {"chemistry": "LFP", "nominal_energy_kwh": 5}}
broken = {
    "unknown top-level key": {**minimal, "colour": 1},
    "unknown nested key": {**minimal, "bms": {"timeout": 5}},
    "wrong type": {**minimal, "site": {**minimal["site"], "clearances_m": {"door": "one"}}},
    "out of range": {**minimal, "control": {"min_soc_pct": 120}},
    "missing required": {"site": {"location": "loft"}, "battery": minimal["battery"]},
    "bad enum": {**minimal, "battery": {"chemistry": "lead", "nominal_energy_kwh": 5}},
}
if list(validator.iter_errors(minimal)):
    print("FAIL minimal config rejected by the schema")
    failures += 1
for name, doc in broken.items():
    if not list(validator.iter_errors(doc)):
        print(f"FAIL schema accepts a broken config: {name}")
        failures += 1

# Every key the schema knows must be a key the parser reads: grep the section parsers.
parser_src = "".join(p.read_text() for p in (root / "src/config").glob("*.cpp"))
parser_keys = set(re.findall(r'"([a-z_0-9]+)"', parser_src))


def walk(node, path):
    for key, sub in node.get("properties", {}).items():
        if key == "$schema":
            continue
        if key not in parser_keys:
            print(f"FAIL schema key {path}/{key} is not read by the parser")
            yield 1
        yield from walk(sub, f"{path}/{key}")


failures += sum(walk(schema, ""))
print(f"{len(files) + len(broken) + 1 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)

#!/usr/bin/python3
"""Every event code and rule id the sources use is documented, and the docs name no other.

Event codes: the string literals handed to the event constructors and emitters in src/ (one
statement around each literal must name one of them), plus the codes built at run time (BMS
flags, CAN errors, the site meter's copies of the inverter driver's codes), expanded from the
enum tables they are built from. Each must be in the first cell of a table row of
docs/events.md; every code in such a cell must be one the sources record.

Rule ids: string literals in src/ and include/ shaped like bessd's rule ids (PAS-LOC-01,
OP-REPEAT-CHARGE, FLAG:contactor, ...). Each must appear in one of docs/*.md; every such id in
the docs must be used by the sources (a family name such as "OP-V" followed by a non-id
character is accepted when some id starts with it).

The rule index docs/rules.md: every rule id of the sources has one row (the id in the first
cell), every row's id is used by the sources, every link of the page leads to a file of docs/
and a heading it has, and an installation rule's confidence cell names each tag
(compliance::Confidence) its code gives it.

Citations in comments (src/, include/, tests/, bench/, scripts/): every docs/NAME.md exists and a
section quoted after it ('docs/protocols.md "Modbus"') begins a heading of that file or a bold
paragraph lead; a bare NAME.md names a file of the repository; no section numbers (§) of
documents the repository does not have.

One line per problem (file:line: what), then "N passed, M failed"; exit 1 on any failure.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
INCLUDE = ROOT / "include"
DOCS = ROOT / "docs"
EVENTS_DOC = DOCS / "events.md"

# An event code: source.what or source.group.what, lower case.
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,2}$")
# What makes a statement an event: the emitters and constructors, and the maps keyed by code.
EMITTER_RE = re.compile(
    r"\b(event|emit|condition|control_event|make_event|mqtt_event)\s*\(|"
    r"\.code\s*=|core::Event\s*\{|\bEvent\s*\{|\bconditions_\s*\[|\braised\s*\[")

RULE_ID_PREFIXES = ("PAS", "BAT", "SL", "OP", "COM", "ALM", "BMS", "INV", "FAULT", "DC", "DCL",
                    "SOC", "CONFIG", "API")
RULE_ID_RE = re.compile(r"^(?:(?:%s)-[A-Z0-9]+(?:-[A-Z0-9]+)*|(?:FLAG|REQ):[a-z_]+|COMPLIANCE)$"
                        % "|".join(RULE_ID_PREFIXES))
DOC_RULE_ID_RE = re.compile(
    r"(?<![A-Za-z0-9_./-])((?:%s)-[A-Z0-9]+(?:-[A-Z0-9]+)*|(?:FLAG|REQ):[a-z_]+|COMPLIANCE)"
    r"(?![A-Za-z0-9_])"
    % "|".join(RULE_ID_PREFIXES))
# Shaped like a rule id in the docs, but something else.
DOC_NOT_RULE_IDS = {"DC-DC"}  # a DC-DC converter

STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')

failures = []
passes = 0


def fail(where, what):
    failures.append(f"{where}: {what}")


def ok():
    global passes
    passes += 1


def rel(path):
    return path.relative_to(ROOT).as_posix()


def strip_comments(text):
    """Blanks // and /* */ comments, keeping string literals, offsets and line numbers."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sources(*dirs):
    for d in dirs:
        for p in sorted(d.rglob("*")):
            if p.suffix in (".cpp", ".hpp") and "testing" not in p.relative_to(d).parts:
                yield p, strip_comments(p.read_text(encoding="utf-8"))


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def statement_around(text, pos):
    start = max(text.rfind(";", 0, pos), text.rfind("{", 0, pos) - 200, text.rfind("}", 0, pos))
    end = text.find(";", pos)
    return text[max(start, 0):end if end >= 0 else len(text)]


def enum_names(path, enum):
    """The names of an enum: its k<Enum>Names table ({Enum::x, "x"} rows), or a to_string(<enum>)
    switch (case Enum::x: return "x";)."""
    text = (ROOT / path).read_text(encoding="utf-8")
    names = re.findall(r"\{\s*%s::(\w+),\s*\"(\w+)\"\s*\}" % enum, text)
    if not names:
        names = re.findall(r"case\s+%s::(\w+):\s*return\s+\"(\w+)\";" % enum, text)
    if not names:
        fail(path, f"no to_string({enum}) table found: the test cannot expand its codes")
    for member, name in names:
        if member != name:
            fail(path, f"{enum}::{member} is shown as \"{name}\"")
    return [name for _, name in names]


def require(path, pattern, why):
    text = (ROOT / path).read_text(encoding="utf-8")
    m = re.search(pattern, text)
    if not m:
        fail(path, f"the code that {why} was not found (the test must learn its new form)")
        return None
    return f"{path}:{line_of(text, m.start())}"


# ---- event codes in the sources ----------------------------------------------------------

source_codes = {}  # code -> "file:line" of its first use
driver_codes = set()
for path, text in sources(SRC):
    for m in STRING_RE.finditer(text):
        value = m.group(1)
        if not CODE_RE.match(value):
            continue
        if not EMITTER_RE.search(statement_around(text, m.start())):
            continue
        source_codes.setdefault(value, f"{rel(path)}:{line_of(text, m.start())}")
        if rel(path).startswith("src/inverter/") and value.startswith("inverter."):
            driver_codes.add(value)

literal_count = len(source_codes)

# Codes built at run time, from the enum tables they are built from.
where = require("src/bms/bms_monitor.cpp", r'"bms\."\s*\+\s*level\s*\+\s*"\."',
                "builds bms.protection.<condition> and bms.warning.<condition>")
if where and require("src/bms/bms_monitor.cpp", r'protection\s*\?\s*"protection"\s*:\s*"warning"',
                     "chooses protection or warning"):
    for c in enum_names("include/bessd/core/bms_condition.hpp", "BmsCondition"):
        for level in ("protection", "warning"):
            source_codes.setdefault(f"bms.{level}.{c}", where)
where = require("src/bms/bms_monitor.cpp", r'"can\."\s*\+\s*std::string\(can::to_string\(',
                "builds can.<kind>")
if where:
    for k in enum_names("include/bessd/can/can_bus_error.hpp", "CanErrorKind"):
        source_codes.setdefault(f"can.{k}", where)
where = require("src/app/site_meter.cpp", r'event_source\s*=\s*"meter"',
                "names the site meter's events")
if where and require("src/inverter/profile_inverter_driver.cpp",
                     r"options\.event_source\s*\+\s*code\.substr\(dot\)",
                     "renames the driver's codes after its event source"):
    for code in sorted(driver_codes):
        source_codes.setdefault("meter." + code.split(".", 1)[1], where)

if literal_count < 20:
    fail("src", f"only {literal_count} literal event codes found (at least 20 expected): "
                "the extraction no longer sees how events are made")
if len(source_codes) < 80:
    fail("src", f"only {len(source_codes)} event codes in all (at least 80 expected)")

# ---- event codes in docs/events.md -------------------------------------------------------

doc_codes = {}
if not EVENTS_DOC.exists():
    fail("docs/events.md", "missing")
else:
    for n, line in enumerate(EVENTS_DOC.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        for code in re.findall(r"`([^`]+)`", first):
            if CODE_RE.match(code):
                if code in doc_codes:
                    fail(f"docs/events.md:{n}", f"{code} is listed twice (also line "
                                                f"{doc_codes[code].split(':')[1]})")
                doc_codes.setdefault(code, f"docs/events.md:{n}")

for code, at in sorted(source_codes.items()):
    if code in doc_codes:
        ok()
    else:
        fail(at, f"event code {code} is not in docs/events.md")
for code, at in sorted(doc_codes.items()):
    if code in source_codes:
        ok()
    else:
        fail(at, f"event code {code} is documented but no source records it")

# ---- rule ids ------------------------------------------------------------------------------

source_ids = {}
for path, text in sources(SRC, INCLUDE):
    for m in STRING_RE.finditer(text):
        if RULE_ID_RE.match(m.group(1)):
            source_ids.setdefault(m.group(1), f"{rel(path)}:{line_of(text, m.start())}")
if len(source_ids) < 40:
    fail("src", f"only {len(source_ids)} rule ids found (at least 40 expected)")

doc_ids = {}  # id -> first "file:line"
for doc in sorted(DOCS.glob("*.md")):
    for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        for m in DOC_RULE_ID_RE.finditer(line):
            doc_ids.setdefault(m.group(1), f"{rel(doc)}:{n}")

for rid, at in sorted(source_ids.items()):
    if rid in doc_ids:
        ok()
    else:
        fail(at, f"rule id {rid} is documented in no docs/*.md")
for rid, at in sorted(doc_ids.items()):
    if rid in DOC_NOT_RULE_IDS:
        continue
    family = any(s.startswith(rid + "-") for s in source_ids)
    if rid in source_ids or family:
        ok()
    else:
        fail(at, f"rule id {rid} is documented but no source uses it")

# ---- the rule index: docs/rules.md -------------------------------------------------------

RULES_DOC = DOCS / "rules.md"
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
TAGS = {"confirmed": "[C]", "secondary": "[S]", "uncertain": "[U]", "judgement": "[I]"}


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, blanks to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def headings(path):
    """The headings of a markdown file (outside code fences), as written."""
    out, fence = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"#{1,6} ", line):
            out.append(line.lstrip("#").strip())
    return out


_anchors = {}


def anchors(path):
    if path not in _anchors:
        _anchors[path] = {slug(h) for h in headings(path)}
    return _anchors[path]


# The confidence tags each installation rule's code gives (make_finding and any override).
code_tags = {}
for path in sorted((SRC / "compliance").glob("*_rules.cpp")):
    text = strip_comments(path.read_text(encoding="utf-8"))
    for body in re.split(r"\n(?=Finding check_)", text):
        m = re.search(r'make_finding\(\s*"([A-Z0-9-]+)"', body)
        if m:
            code_tags[m.group(1)] = {TAGS[c] for c in re.findall(r"Confidence::(\w+)", body)
                                     if c in TAGS}
if len(code_tags) < 10:
    fail("src/compliance", f"only {len(code_tags)} installation rules with a confidence found "
                           "(at least 10 expected): the test must learn how rules are made")

index_rows = {}  # id -> "docs/rules.md:line"
if not RULES_DOC.exists():
    fail("docs/rules.md", "missing")
else:
    for n, line in enumerate(RULES_DOC.read_text(encoding="utf-8").splitlines(), 1):
        at = f"docs/rules.md:{n}"
        for m in LINK_RE.finditer(line):
            target = m.group(1)
            if re.match(r"[a-z]+:", target):
                continue  # an outside address
            name, _, anchor = target.partition("#")
            doc = RULES_DOC if not name else DOCS / name
            if not doc.resolve().is_relative_to(DOCS.resolve()) or not doc.exists():
                fail(at, f"link {target}: {name} is not a file of docs/")
            elif anchor and anchor not in anchors(doc):
                fail(at, f"link {target}: {rel(doc)} has no heading with that anchor")
            else:
                ok()
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.split("|")[1:-1]]
        rid = cells[0].strip("`")
        if rid in index_rows:
            fail(at, f"{rid} has two rows (also {index_rows[rid]})")
            continue
        index_rows[rid] = at
        if len(cells) != 6:
            fail(at, f"{rid}: {len(cells)} cells, 6 expected (id, checked, does, source, "
                     "confidence, detail)")
            continue
        if not LINK_RE.search(cells[5]):
            fail(at, f"{rid}: no link to the section that explains it")
        for tag in sorted(code_tags.get(rid, ())):
            if tag in cells[4]:
                ok()
            else:
                fail(at, f"{rid}: the code gives it confidence {tag}, its row does not say so")
        if rid in code_tags and not code_tags[rid]:
            fail(at, f"{rid}: no Confidence found in its code")

for rid, at in sorted(source_ids.items()):
    if rid in index_rows:
        ok()
    else:
        fail(at, f"rule id {rid} has no row in docs/rules.md")
for rid, at in sorted(index_rows.items()):
    if rid in source_ids:
        ok()
    else:
        fail(at, f"{rid} has a row in docs/rules.md but no source uses it")

# ---- citations in comments -----------------------------------------------------------------

CITE_RE = re.compile(r'docs/([A-Za-z0-9_.-]+\.md)`?(?:,?\s*"([^"\n]+)")?')
BARE_MD_RE = re.compile(r"(?<![\w/.-])([A-Za-z0-9_-]+\.md)\b")
BOLD_LEAD_RE = re.compile(r"^\s*(?:[-*]\s+)?\*\*([^*]+?)\*\*")


def comment_lines(path):
    """(line number, comment text) of a source file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".cpp", ".hpp", ".h", ".cc"):
        code = strip_comments(text)
        for n, (a, b) in enumerate(zip(text.splitlines(), code.splitlines()), 1):
            comment = "".join(x if y == " " else " " for x, y in zip(a, b))
            if comment.strip():
                yield n, comment
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                yield n, line


_sections = {}


def sections(path):
    """Headings and bold paragraph leads, without backticks, lower case."""
    if path not in _sections:
        names = [h for h in headings(path)]
        for line in path.read_text(encoding="utf-8").splitlines():
            m = BOLD_LEAD_RE.match(line)
            if m:
                names.append(m.group(1).rstrip("."))
        _sections[path] = [s.replace("`", "").lower() for s in names]
    return _sections[path]


cited = 0
for top in ("src", "include", "tests", "bench", "scripts"):
    for path in sorted((ROOT / top).rglob("*")):
        if not path.is_file() or path.suffix not in (".cpp", ".hpp", ".h", ".cc", ".py", ".sh"):
            continue
        for n, comment in comment_lines(path):
            at = f"{rel(path)}:{n}"
            for m in CITE_RE.finditer(comment):
                cited += 1
                doc = DOCS / m.group(1)
                if not doc.exists():
                    fail(at, f"cites docs/{m.group(1)}, which does not exist")
                    continue
                ok()
                if m.group(2):
                    quoted = m.group(2).replace("`", "").lower()
                    if any(s.startswith(quoted) for s in sections(doc)):
                        ok()
                    else:
                        fail(at, f'cites docs/{m.group(1)} "{m.group(2)}": no heading or bold '
                                 "lead of that file begins so")
            for m in BARE_MD_RE.finditer(comment):
                if comment[max(0, m.start() - 5):m.start()] == "docs/":
                    continue
                if not (ROOT / m.group(1)).exists():
                    fail(at, f"cites {m.group(1)}, not a file of the repository (docs/{m.group(1)}?)")
            if "§" in comment:
                fail(at, "a section number (§) of a document the repository does not have: cite "
                         'docs/NAME.md "Heading"')
if cited < 100:
    fail("src", f"only {cited} docs/ citations in comments found (at least 100 expected)")

for f in failures:
    print(f)
print(f"{passes} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)

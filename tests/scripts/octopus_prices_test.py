#!/usr/bin/python3
"""scripts/octopus-prices.py: Octopus's unit rates in, a bessd price file out (docs/schedules.md
"Price files"). Every output is checked against the rules bessd's parser applies."""
import datetime as dt
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "octopus-prices.py"
DATA = ROOT / "tests" / "data" / "octopus"
IMPORT = DATA / "agile-import-2026-10-25.json"
OUTGOING = DATA / "agile-outgoing-2026-10-25.json"
# The script's output for the two above; tests/unit/energy/price_list_test.cpp parses it.
GOLDEN = DATA / "agile-2026-10-25.prices.json"
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})$")


def run(*args, stdin=None):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], input=stdin,
                          capture_output=True, text=True, check=False)


def when(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def rates(*items):
    return json.dumps({"count": len(items), "next": None, "previous": None,
                       "results": list(items)})


def rate(start, end, inc, exc=None, method=None):
    return {"value_exc_vat": exc if exc is not None else inc / 1.05, "value_inc_vat": inc,
            "valid_from": start, "valid_to": end, "payment_method": method}


class BessdFormat:
    """bessd's rules for a JSON price file, as src/energy/price_list.cpp applies them."""

    @staticmethod
    def check(test, text):
        doc = json.loads(text)
        test.assertLessEqual(set(doc), {"currency", "slots"})
        test.assertLessEqual(len(doc.get("currency", "")), 16)
        slots = doc["slots"]
        test.assertGreater(len(slots), 0)
        test.assertLessEqual(len(slots), 20000)
        previous_end = None
        for i, s in enumerate(slots):
            test.assertLessEqual(set(s), {"start", "end", "import", "export"}, i)
            test.assertRegex(s["start"], TIME)
            test.assertRegex(s["end"], TIME)
            start, end = when(s["start"]), when(s["end"])
            test.assertGreaterEqual(end - start, dt.timedelta(minutes=1), i)
            test.assertLessEqual(end - start, dt.timedelta(hours=24), i)
            for key in ("import", "export"):
                if key in s:
                    test.assertTrue(math.isfinite(s[key]) and abs(s[key]) <= 1e6, (i, key))
            if previous_end is not None:
                test.assertGreaterEqual(start, previous_end, f"slot {i} overlaps or is unsorted")
            previous_end = end
        return slots


class AgileFixture(unittest.TestCase):
    def test_fixture_is_newest_first_over_the_night_the_clocks_go_back(self):
        results = json.loads(IMPORT.read_text())["results"]
        self.assertGreater(results[0]["valid_from"], results[-1]["valid_from"])
        # 2026-10-25 in London: 00:00 BST to 00:00 GMT is 25 hours.
        self.assertEqual(len(results), 50)

    def test_import_and_export_make_a_valid_sorted_list(self):
        out = run(IMPORT, "--export", OUTGOING)
        self.assertEqual(out.returncode, 0, out.stderr)
        slots = BessdFormat.check(self, out.stdout)
        self.assertEqual(json.loads(out.stdout)["currency"], "p")
        self.assertEqual(len(slots), 50)
        self.assertEqual(slots[0]["start"], "2026-10-24T23:00:00Z")
        self.assertEqual(slots[-1]["end"], "2026-10-26T00:00:00Z")
        for s in slots:
            self.assertEqual(when(s["end"]) - when(s["start"]), dt.timedelta(minutes=30))
        by_start = {s["start"]: s for s in slots}
        source = {r["valid_from"]: r for r in json.loads(IMPORT.read_text())["results"]}
        for start, s in by_start.items():
            self.assertEqual(s["import"], source[start]["value_inc_vat"])
        # One export rate of an hour covers two import slots.
        self.assertIn("export", by_start["2026-10-25T12:00:00Z"])
        self.assertIn("export", by_start["2026-10-25T12:30:00Z"])
        # Two quarter-hour export rates do not cover a half hour on their own; the last hour
        # has no export rate at all.
        self.assertNotIn("export", by_start["2026-10-25T03:00:00Z"])
        self.assertNotIn("export", by_start["2026-10-25T23:00:00Z"])
        self.assertNotIn("export", by_start["2026-10-25T23:30:00Z"])
        self.assertEqual(sum("export" in s for s in slots), 47)
        self.assertIn("3 of 50 slots have no export price", out.stderr)
        self.assertEqual(out.stdout, GOLDEN.read_text(),
                         f"{GOLDEN} is out of date: regenerate it with the script")

    def test_negative_prices_pass_through(self):
        out = run(IMPORT)
        slots = BessdFormat.check(self, out.stdout)
        self.assertTrue(any(s["import"] < 0 for s in slots))
        self.assertTrue(all("export" not in s for s in slots))

    def test_exc_vat_and_stdin(self):
        out = run("--exc-vat", stdin=IMPORT.read_text())
        self.assertEqual(out.returncode, 0, out.stderr)
        slots = BessdFormat.check(self, out.stdout)
        source = {r["valid_from"]: r for r in json.loads(IMPORT.read_text())["results"]}
        for s in slots:
            self.assertEqual(s["import"], source[s["start"]]["value_exc_vat"])

    def test_output_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "prices.json"
            out = run(IMPORT, "-o", path)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout, "")
            BessdFormat.check(self, path.read_text())


class GoAndFixedTariffs(unittest.TestCase):
    # Go: a 4-hour night rate and a day rate, listed once per payment method; the current rate
    # is open-ended (valid_to null), newest first.
    GO = rates(
        rate("2026-12-05T04:30:00Z", None, 27.0, method="DIRECT_DEBIT"),
        rate("2026-12-05T04:30:00Z", None, 28.5, method="NON_DIRECT_DEBIT"),
        rate("2026-12-05T00:30:00Z", "2026-12-05T04:30:00Z", 8.5, method="DIRECT_DEBIT"),
        rate("2026-12-05T00:30:00Z", "2026-12-05T04:30:00Z", 9.0, method="NON_DIRECT_DEBIT"),
    )

    def test_long_rates_stay_whole_and_open_ended_ones_are_bounded(self):
        out = run(stdin=self.GO)
        self.assertEqual(out.returncode, 0, out.stderr)
        slots = BessdFormat.check(self, out.stdout)
        self.assertEqual(slots[0], {"start": "2026-12-05T00:30:00Z",
                                    "end": "2026-12-05T04:30:00Z", "import": 8.5})
        # 48 h after its start, in slots of at most 24 h.
        self.assertEqual([s["end"] for s in slots[1:]],
                         ["2026-12-06T04:30:00Z", "2026-12-07T04:30:00Z"])
        self.assertEqual({s["import"] for s in slots[1:]}, {27.0})
        self.assertIn("no end (valid_to null)", out.stderr)
        self.assertIn("48 h", out.stderr)
        self.assertIn("kept the DIRECT_DEBIT rates, dropped 2", out.stderr)

    def test_until_ends_the_open_rate_and_payment_method_chooses(self):
        out = run("--until", "2026-12-05T23:30:00Z", "--payment-method", "NON_DIRECT_DEBIT",
                  stdin=self.GO)
        self.assertEqual(out.returncode, 0, out.stderr)
        slots = BessdFormat.check(self, out.stdout)
        self.assertEqual([(s["start"], s["end"], s["import"]) for s in slots],
                         [("2026-12-05T00:30:00Z", "2026-12-05T04:30:00Z", 9.0),
                          ("2026-12-05T04:30:00Z", "2026-12-05T23:30:00Z", 28.5)])

    def test_since_cuts_a_fixed_rate_that_started_long_ago(self):
        fixed = rates(rate("2024-04-01T00:00:00Z", None, 24.5))
        out = run("--since", "2026-12-05T00:00:00Z", stdin=fixed)
        self.assertEqual(out.returncode, 0, out.stderr)
        slots = BessdFormat.check(self, out.stdout)
        self.assertEqual([s["start"] for s in slots],
                         ["2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"])
        self.assertEqual(slots[-1]["end"], "2026-12-07T00:00:00Z")


class MalformedInput(unittest.TestCase):
    def assert_refused(self, stdin, *words):
        out = run(stdin=stdin)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertEqual(out.stdout, "")
        for w in words:
            self.assertIn(w, out.stderr)

    def test_refusals(self):
        self.assert_refused("{", "stdin: not JSON")
        self.assert_refused("[]", '"results" array')
        self.assert_refused(rates(), "no rates")
        self.assert_refused(rates(rate("2026-12-05T00:00:00", "2026-12-05T00:30:00Z", 1)),
                            "results[0].valid_from", "no offset")
        self.assert_refused(rates(rate("yesterday", None, 1)), "results[0].valid_from")
        self.assert_refused(rates(rate("2026-12-05T00:30Z", "2026-12-05T00:00Z", 1)),
                            "results[0]", "not after")
        self.assert_refused(rates(rate("2026-12-05T00:00Z", "2026-12-05T00:30Z", "7", exc=7)),
                            "results[0].value_inc_vat", '"7"')
        self.assert_refused(rates(rate("2026-12-05T00:00Z", "2026-12-05T01:00Z", 1),
                                  rate("2026-12-05T00:30Z", "2026-12-05T01:30Z", 2)),
                            "overlaps")
        self.assert_refused(rates(rate("2026-12-05T00:00Z", "2026-12-05T00:30Z", 1),
                                  rate("2026-12-05T00:00Z", "2026-12-05T00:30Z", 2)),
                            "not exactly one of them")

    def test_missing_file_and_bad_arguments(self):
        out = run(DATA / "no-such-file.json")
        self.assertEqual(out.returncode, 2)
        self.assertIn("no-such-file.json", out.stderr)
        self.assertEqual(run("--until", "tomorrow", IMPORT).returncode, 2)
        self.assertEqual(run("--fetch", "P", "T", IMPORT).returncode, 2)

    def test_help(self):
        out = run("--help")
        self.assertEqual(out.returncode, 0)
        self.assertIn("--fetch", out.stdout)
        self.assertTrue(os.access(SCRIPT, os.X_OK))


if __name__ == "__main__":
    unittest.main()

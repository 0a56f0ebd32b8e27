#!/usr/bin/python3
"""Makes a bessd price file (docs/schedules.md "Price files") from Octopus Energy's unit rates.

Reads the JSON that Octopus's public API returns for a tariff's unit rates
(.../electricity-tariffs/<tariff>/standard-unit-rates/) from a file or stdin, or downloads it
with --fetch, and writes bessd's JSON price format: one slot per rate, sorted, in UTC, prices in
pence per kWh including VAT (--exc-vat for excluding). An export tariff's rates (Agile Outgoing)
given with --export or --fetch-export attach to the import slots they cover.

Exit status: 0 done, 1 a download failed, 2 the input is malformed or the arguments are wrong.
"""
import argparse
import os
import bisect
import datetime as dt
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

API = "https://api.octopus.energy/v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/"
OPEN_ENDED_DEFAULT = dt.timedelta(hours=48)
# bessd refuses a slot longer than this; longer rates are cut into pieces of this length.
LONGEST_SLOT = dt.timedelta(hours=24)
UTC = dt.timezone.utc


class InputError(Exception):
    """Malformed input or arguments: exit status 2."""


def say(message):
    print(f"octopus-prices: {message}", file=sys.stderr)


def parse_time(text, where):
    if not isinstance(text, str):
        raise InputError(f"{where}: expected an ISO 8601 time such as 2026-12-05T23:00:00Z, "
                         f"got {json.dumps(text)}")
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: {text!r} is not an ISO 8601 time such as "
                         "2026-12-05T23:00:00Z") from None
    if t.tzinfo is None:
        raise InputError(f"{where}: {text!r} has no offset (Octopus writes Z)")
    return t.astimezone(UTC)


def format_time(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Rate:
    def __init__(self, start, end, price, payment_method, where):
        self.start = start
        self.end = end  # None: open-ended
        self.price = price
        self.payment_method = payment_method
        self.where = where


def read_rates(doc, name, price_key):
    """The rates of one API answer (a page, or pages merged), as Rate objects, unsorted."""
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise InputError(f"{name}: expected Octopus's unit-rates JSON, an object with a "
                         '"results" array')
    if doc.get("next"):
        say(f"{name}: this is one page of several (\"next\": {doc['next']}); the rates of the "
            "other pages are not read (--fetch reads them all)")
    rates = []
    for i, item in enumerate(doc["results"]):
        where = f"{name}: results[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected an object, got {json.dumps(item)}")
        for key in ("valid_from", price_key):
            if key not in item:
                raise InputError(f'{where}: has no "{key}"')
        start = parse_time(item["valid_from"], f"{where}.valid_from")
        end = None
        if item.get("valid_to") is not None:
            end = parse_time(item["valid_to"], f"{where}.valid_to")
            if end <= start:
                raise InputError(f"{where}: valid_to {item['valid_to']} is not after "
                                 f"valid_from {item['valid_from']}")
        price = item[price_key]
        if isinstance(price, bool) or not isinstance(price, (int, float)) or \
                price != price or abs(price) > 1e6:
            raise InputError(f"{where}.{price_key}: expected a price in pence per kWh, "
                             f"got {json.dumps(price)}")
        method = item.get("payment_method")
        if method is not None and not isinstance(method, str):
            raise InputError(f"{where}.payment_method: expected null or a string, "
                             f"got {json.dumps(method)}")
        rates.append(Rate(start, end, float(price), method, where))
    return rates


def choose_payment_method(rates, name, method):
    """Octopus lists some rates once per payment method: keep one rate per period."""
    by_period = {}
    for r in rates:
        by_period.setdefault((r.start, r.end), []).append(r)
    kept = []
    dropped = 0
    for (start, _), group in by_period.items():
        if len(group) > 1:
            chosen = [r for r in group if r.payment_method in (None, method)]
            if len(chosen) != 1:
                methods = ", ".join(str(r.payment_method) for r in group)
                raise InputError(f"{name}: {len(group)} rates from {format_time(start)} "
                                 f"(payment methods {methods}) and not exactly one of them is "
                                 f"null or {method}")
            dropped += len(group) - 1
            group = chosen
        kept.extend(group)
    if dropped:
        say(f"{name}: kept the {method} rates, dropped {dropped} for another payment method "
            "(--payment-method chooses)")
    return kept


def bounded(rates, name, since, until):
    """Sorts the rates, ends each open-ended one, clips to [since, until] and checks overlaps."""
    rates = sorted(rates, key=lambda r: r.start)
    out = []
    for i, r in enumerate(rates):
        end = r.end
        if end is None:
            limit = until if until is not None else max(r.start, since or r.start) + \
                OPEN_ENDED_DEFAULT
            if i + 1 < len(rates):
                limit = min(limit, rates[i + 1].start)
            end = limit
            say(f"{name}: the rate from {format_time(r.start)} has no end (valid_to null); "
                f"it ends at {format_time(end)} here" +
                ("" if until is not None else " (48 h after it starts; --until sets the end)"))
        start = r.start if since is None else max(r.start, since)
        if until is not None:
            end = min(end, until)
        if end <= start:
            continue  # outside the period asked for
        if out and start < out[-1].end:
            raise InputError(f"{r.where}: the rate from {format_time(r.start)} overlaps "
                             f"{out[-1].where} (to {format_time(out[-1].end)})")
        out.append(Rate(start, end, r.price, r.payment_method, r.where))
    return out


def cut_long(rates, name):
    """Rates longer than bessd's longest slot become pieces of at most 24 h."""
    out = []
    cut = 0
    for r in rates:
        start = r.start
        while r.end - start > LONGEST_SLOT:
            out.append(Rate(start, start + LONGEST_SLOT, r.price, r.payment_method, r.where))
            start += LONGEST_SLOT
            cut += 1
        out.append(Rate(start, r.end, r.price, r.payment_method, r.where))
    if cut:
        say(f"{name}: rates longer than 24 h were cut into slots of at most 24 h")
    return out


def export_for(slot, exports, starts):
    """The export price of the export rate that covers the whole slot, or None."""
    i = bisect.bisect_right(starts, slot.start) - 1
    if i >= 0 and exports[i].end >= slot.end:
        return exports[i].price
    return None


def fetch(product, tariff, since, until):
    query = urllib.parse.urlencode({"period_from": format_time(since),
                                    "period_to": format_time(until), "page_size": 1500})
    url = API.format(product=urllib.parse.quote(product), tariff=urllib.parse.quote(tariff)) + \
        "?" + query
    results = []
    pages = 0
    while url:
        pages += 1
        if pages > 100:
            raise InputError(f"{tariff}: more than 100 pages; ask for a shorter period")
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                page = json.load(answer)
        except urllib.error.HTTPError as e:
            raise ConnectionError(f"{url}: HTTP {e.code} {e.reason} (are the product and "
                                  "tariff codes right?)") from None
        except (urllib.error.URLError, OSError) as e:
            raise ConnectionError(f"{url}: {e}") from None
        except json.JSONDecodeError as e:
            raise InputError(f"{url}: not JSON: {e}") from None
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise InputError(f"{url}: expected an object with a \"results\" array")
        results.extend(page["results"])
        url = page.get("next")
    return {"count": len(results), "next": None, "previous": None, "results": results}


def load(path):
    name = "stdin" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as e:
        raise InputError(f"{name}: {e.strerror}") from None
    try:
        return json.loads(text), name
    except json.JSONDecodeError as e:
        raise InputError(f"{name}: not JSON: {e}") from None


def cli_time(text):
    try:
        return parse_time(text, "time")
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def main(argv):
    p = argparse.ArgumentParser(
        prog="octopus-prices.py",
        description="Writes a bessd price file (JSON) from Octopus Energy's unit rates.",
        epilog="Examples:\n"
        "  curl -s 'https://api.octopus.energy/v1/products/AGILE-24-10-01/electricity-tariffs/"
        "E-1R-AGILE-24-10-01-C/standard-unit-rates/' | octopus-prices.py > prices.json\n"
        "  octopus-prices.py --fetch AGILE-24-10-01 E-1R-AGILE-24-10-01-C \\\n"
        "      --fetch-export AGILE-OUTGOING-19-05-13 E-1R-AGILE-OUTGOING-19-05-13-C"
        " -o prices.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", nargs="?", default=None,
                   help="import unit rates as the API returns them (default: stdin; - is stdin)")
    p.add_argument("--export", metavar="FILE", help="export unit rates (Agile Outgoing), same shape")
    p.add_argument("--fetch", nargs=2, metavar=("PRODUCT", "TARIFF"),
                   help="download the import rates instead of reading them (all pages)")
    p.add_argument("--fetch-export", nargs=2, metavar=("PRODUCT", "TARIFF"),
                   help="download the export rates")
    p.add_argument("--exc-vat", action="store_true",
                   help="prices excluding VAT (value_exc_vat); default value_inc_vat")
    p.add_argument("--since", type=cli_time, metavar="TIME",
                   help="drop rates before this time, cut the one that holds it "
                        "(--fetch: default today 00:00 UTC)")
    p.add_argument("--until", type=cli_time, metavar="TIME",
                   help="end of the list: rates are cut here, and a rate without valid_to ends "
                        "here (default: 48 h after it starts; --fetch: 48 h after --since)")
    p.add_argument("--payment-method", default="DIRECT_DEBIT",
                   choices=["DIRECT_DEBIT", "NON_DIRECT_DEBIT"],
                   help="which rate to keep when Octopus lists one per payment method "
                        "(default DIRECT_DEBIT; rates with payment_method null are always kept)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    args = p.parse_args(argv)

    if args.fetch and args.input is not None:
        p.error("give an input file or --fetch, not both")
    if args.fetch_export and args.export:
        p.error("give --export or --fetch-export, not both")
    if args.since and args.until and args.until <= args.since:
        p.error("--until must be after --since")
    price_key = "value_exc_vat" if args.exc_vat else "value_inc_vat"
    # A download asks for a period; a downloaded import list is clipped to it, since a fixed
    # tariff's open-ended rate may have started years before.
    fetch_since = args.since or dt.datetime.now(UTC).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)
    fetch_until = args.until or fetch_since + OPEN_ENDED_DEFAULT
    since, until = args.since, args.until
    if args.fetch:
        since, until = fetch_since, fetch_until

    try:
        if args.fetch:
            import_doc, import_name = fetch(*args.fetch, fetch_since, fetch_until), args.fetch[1]
        else:
            import_doc, import_name = load(args.input or "-")
        imports = read_rates(import_doc, import_name, price_key)
        imports = choose_payment_method(imports, import_name, args.payment_method)
        imports = cut_long(bounded(imports, import_name, since, until), import_name)
        if not imports:
            raise InputError(f"{import_name}: no rates (in the period asked for); bessd refuses a "
                             "price file without slots")

        exports = None
        if args.export or args.fetch_export:
            if args.fetch_export:
                export_doc, export_name = fetch(*args.fetch_export, fetch_since, fetch_until), \
                    args.fetch_export[1]
            else:
                export_doc, export_name = load(args.export)
            exports = read_rates(export_doc, export_name, price_key)
            exports = choose_payment_method(exports, export_name, args.payment_method)
            exports = bounded(exports, export_name, since, until)
    except InputError as e:
        say(str(e))
        return 2
    except ConnectionError as e:
        say(str(e))
        return 1

    slots = []
    without_export = 0
    starts = [r.start for r in exports] if exports is not None else []
    for r in imports:
        slot = {"start": format_time(r.start), "end": format_time(r.end), "import": r.price}
        if exports is not None:
            price = export_for(r, exports, starts)
            if price is None:
                without_export += 1
            else:
                slot["export"] = price
        slots.append(slot)
    if without_export:
        say(f"{without_export} of {len(slots)} slots have no export price (no export rate "
            "covers the whole slot)")

    lines = ",\n".join("  " + json.dumps(s) for s in slots)
    text = '{"currency": "p", "slots": [\n' + lines + "\n]}\n"
    if args.output:
        # Written beside it and renamed over it: bessd never reads half a file.
        partial = f"{args.output}.partial"
        try:
            with open(partial, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(partial, args.output)
        except OSError as e:
            say(f"{args.output}: {e.strerror}")
            return 1
    else:
        sys.stdout.write(text)
    say(f"{len(slots)} slots from {slots[0]['start']} to {slots[-1]['end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

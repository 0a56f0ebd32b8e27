#!/usr/bin/python3
"""Browser test of the web dashboard (www/, served at /ui/) in headless Chromium.

    dashboard_browser_test.py --url http://127.0.0.1:8470 --read-token-file R --control-token-file C \\
        (--status-cmd "CMD printing /v1/status JSON" | --api-token-file T) [--screenshots DIR]

Needs Debian's python3-selenium (4.8), chromium and chromium-driver. The tokens are secrets of
the daemon's token file: one of scope read, one of scope control (the page logs in with them
through POST /v1/session). --read-token/--control-token/--api-token take the secret itself, for
throwaway test tokens only (arguments are visible to every local user).

The control phase acknowledges faults and changes the mode (to idle for an hour, then back to
the mode found); run it against a test site, never a house's battery.

Prints one line per check and ends with `N passed, M failed`; exit status 1 when a check failed,
2 on a usage error. Measurements are printed as `metric NAME VALUE`.
"""
import argparse
import http.server
import json
import os
import shlex
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSED = 0
FAILED = 0


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
    else:
        FAILED += 1
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    return ok


def metric(name, value):
    print(f"metric {name} {value}", flush=True)


def secret(value, path, what):
    if path:
        with open(path, encoding="utf-8") as f:
            words = f.read().split()
        if not words:
            sys.exit(f"{what}: {path} is empty")
        return words[-1] if len(words) in (1, 3) else words[0]
    return value


class Site:
    def __init__(self, args):
        u = urllib.parse.urlsplit(args.url)
        self.origin = f"{u.scheme}://{u.netloc}"
        self.ui = self.origin + "/ui/"
        self.args = args
        self.api_token = secret(args.api_token, args.api_token_file, "--api-token-file")

    def status(self):
        if self.args.status_cmd:
            out = subprocess.run(self.args.status_cmd, shell=True, check=True, capture_output=True, timeout=10)
            return json.loads(out.stdout)
        req = urllib.request.Request(self.origin + "/v1/status",
                                     headers={"Authorization": "Bearer " + self.api_token})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)


def make_driver(args):
    o = webdriver.ChromeOptions()
    o.binary_location = args.chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1280,900", "--no-first-run", "--disable-extensions",
              "--disable-background-networking"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(args.chromedriver), options=o)
    d.set_page_load_timeout(30)
    d.set_script_timeout(20)
    return d


# Console lines the test causes on purpose: the 401 of GET /v1/session before login and of a
# wrong token, the 403 of the forbidden write.
EXPECTED = ("/v1/session - Failed to load resource: the server responded with a status of 401",)


def console_errors(d):
    out = []
    for e in d.get_log("browser"):
        if e.get("level") == "SEVERE" and not any(x in e.get("message", "") for x in EXPECTED):
            out.append(e["message"])
    return out


def js_fetch(d, method, path, csrf=None, body=None):
    """fetch() from the page's own JS context; returns [status, text]."""
    return d.execute_async_script("""
        const [method, path, csrf, body, done] = arguments;
        const h = {};
        if (csrf) h['X-CSRF-Token'] = csrf;
        if (body !== null) h['Content-Type'] = 'application/json';
        fetch(path, {method, credentials: 'same-origin', headers: h,
                     body: body === null ? undefined : JSON.stringify(body)})
          .then(async r => done([r.status, await r.text()]), e => done([0, String(e)]));""",
                                  method, path, csrf, body)


def session_info(d):
    st, text = js_fetch(d, "GET", "/v1/session")
    return json.loads(text) if st == 200 else None


def wait(d, cond, timeout):
    try:
        WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: cond())
        return True
    except Exception:
        return False


def shown(d, css_id):
    els = d.find_elements(By.ID, css_id)
    return bool(els) and els[0].is_displayed()


def login(d, site, token):
    d.get(site.ui)
    if not wait(d, lambda: shown(d, "login-form") or d.execute_script("return document.body.dataset.ready"), 10):
        return False
    if not shown(d, "login-form"):  # a session is still open: leave it first
        d.find_element(By.ID, "logout").click()
        wait(d, lambda: shown(d, "login-form"), 5)
    d.find_element(By.ID, "token").send_keys(token)
    d.find_element(By.ID, "login-button").click()
    return wait(d, lambda: shown(d, "dash") and d.execute_script("return document.body.dataset.ready") == "1", 10)


def logout(d):
    if shown(d, "logout"):
        d.find_element(By.ID, "logout").click()
        return wait(d, lambda: shown(d, "login-form"), 5)
    return False


def num(d, css_id):
    v = d.find_element(By.ID, css_id).get_attribute("data-value")
    return float(v) if v not in (None, "") else None


def within(value, a, b, tol):
    if value is None or a is None or b is None:
        return value is None and (a is None or b is None)
    return min(a, b) - tol <= value <= max(a, b) + tol


def screenshot(d, path, width, height, full=False, dark=False):
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    d.execute_cdp_cmd("Emulation.setEmulatedMedia",
                      {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    time.sleep(1.0)  # charts redraw on resize
    if full:
        h = d.execute_script("return document.documentElement.scrollHeight")
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": h, "deviceScaleFactor": 1, "mobile": width < 600})
        time.sleep(0.8)
    d.save_screenshot(path)
    d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    return os.path.getsize(path) > 1000


class Attacker:
    """A page on another origin (another loopback port) that tries a cross-site write."""

    def __init__(self, target_origin):
        page = f"""<!doctype html><html><body><h1>elsewhere</h1>
<form id="f" method="POST" action="{target_origin}/v1/faults/ack" enctype="text/plain">
<input type="hidden" name='{{"x":"' value='y"}}'></form>
<script>
fetch('{target_origin}/v1/faults/ack', {{method: 'POST', credentials: 'include', mode: 'no-cors',
  headers: {{'Content-Type': 'text/plain'}}, body: '{{}}'}}).catch(() => 0).finally(() => {{
  document.title = 'fetched'; setTimeout(() => document.getElementById('f').submit(), 300); }});
</script></body></html>""".encode()

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *a):
                pass

        host = urllib.parse.urlsplit(target_origin).hostname or "127.0.0.1"
        self.server = http.server.HTTPServer((host, 0), H)
        self.url = f"http://{host}:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def audit_max_id(d):
    st, text = js_fetch(d, "GET", "/v1/audit?limit=50")
    if st != 200:
        return None, []
    recs = json.loads(text).get("records") or json.loads(text).get("audit") or []
    return max([r.get("id", 0) for r in recs] or [0]), recs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the daemon (or dev server) origin, e.g. http://127.0.0.1:8470")
    ap.add_argument("--read-token"), ap.add_argument("--read-token-file")
    ap.add_argument("--control-token"), ap.add_argument("--control-token-file")
    ap.add_argument("--status-cmd", help="shell command printing the /v1/status JSON")
    ap.add_argument("--api-token"), ap.add_argument("--api-token-file",
                                                    help="bearer token to read /v1/status from --url")
    ap.add_argument("--screenshots", default=".", help="directory for the PNG screenshots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--history-wait", type=float, default=90, help="seconds to wait for history points")
    ap.add_argument("--skip-control", action="store_true", help="skip acknowledging and changing the mode")
    args = ap.parse_args()
    read_tok = secret(args.read_token, args.read_token_file, "--read-token-file")
    ctl_tok = secret(args.control_token, args.control_token_file, "--control-token-file")
    if not read_tok or not ctl_tok or not (args.status_cmd or args.api_token or args.api_token_file):
        ap.error("need the read and control tokens and --status-cmd or --api-token(-file)")
    os.makedirs(args.screenshots, exist_ok=True)
    site = Site(args)
    d = make_driver(args)
    try:
        run(d, site, args, read_tok, ctl_tok)
    finally:
        d.quit()
    print(f"{PASSED} passed, {FAILED} failed", flush=True)
    return 1 if FAILED else 0


def run(d, site, args, read_tok, ctl_tok):
    # -- the login form, a wrong token, then the read login
    d.get(site.ui)
    check("login form shown without a session", wait(d, lambda: shown(d, "login-form"), 10))
    d.find_element(By.ID, "token").send_keys("not-a-valid-token-0000000000")
    d.find_element(By.ID, "login-button").click()
    check("wrong token refused with a message",
          wait(d, lambda: d.find_element(By.ID, "login-error").text.strip() != "", 5),
          d.find_element(By.ID, "login-error").text)
    t0 = time.monotonic()
    ok = login(d, site, read_tok)
    check("read login: page ready (data-ready) within 10 s", ok, f"{time.monotonic() - t0:.2f} s")
    if not ok:
        return
    errs = console_errors(d)
    check("no browser console errors after load", not errs, "; ".join(errs)[:500])

    # -- the figures match /v1/status fetched around them. The page polls every 2 s, so after
    # 2.3 s its figure is normally from after s0; on a loaded machine a poll can come late and
    # show the status before s0, so the bracket is taken again (3 tries): a page that shows wrong
    # figures fails every time.
    for attempt in range(3):
        s0 = site.status()
        time.sleep(2.3)
        soc, bat = num(d, "soc"), num(d, "battery-power")
        s1 = site.status()
        soc_lo, soc_hi = s0["pack"]["soc_pct"], s1["pack"]["soc_pct"]
        bat_lo, bat_hi = s0["power_flow"]["battery_w"], s1["power_flow"]["battery_w"]
        tol = 50 + 0.05 * max(abs(bat_lo or 0), abs(bat_hi or 0))
        soc_ok = within(soc, soc_lo, soc_hi, 1.0)
        bat_ok = within(bat, bat_lo, bat_hi, tol)
        if soc_ok and bat_ok:
            break
    check("SOC matches /v1/status", soc_ok, f"page {soc}, status {soc_lo} .. {soc_hi}")
    check("battery power matches /v1/status", bat_ok,
          f"page {bat} W, status {bat_lo} .. {bat_hi} W (±{tol:.0f}), try {attempt + 1} of 3")
    for css_id in ("pv-power", "house-power", "grid-power", "reason", "charge-limit", "discharge-limit", "compliance"):
        if not check(f"#{css_id} rendered", d.find_element(By.ID, css_id).text.strip() not in ("", "–")):
            break

    # -- history chart has points
    deadline = time.monotonic() + args.history_wait
    rows = 0
    while time.monotonic() < deadline:
        rows = d.execute_script("const g = window.bessdCharts && window.bessdCharts.history;"
                                "return g ? g.numRows() : 0;") or 0
        if rows > 0:
            break
        d.find_element(By.CSS_SELECTOR, '[data-range="day"]').click()  # loads the history again
        time.sleep(5)
    check("history chart has points", rows > 0, f"{rows} rows")
    d.find_element(By.CSS_SELECTOR, '[data-range="week"]').click()
    time.sleep(1.5)
    d.find_element(By.CSS_SELECTOR, '[data-range="day"]').click()
    time.sleep(1.5)

    # -- read scope: no acknowledge button, no mode selector, and a write is refused
    check("read scope: no Acknowledge button", not shown(d, "ack-button"))
    check("read scope: no mode selector", not shown(d, "mode-select"))
    info = session_info(d)
    check("read session scope is read", bool(info) and info.get("scope") == "read", str(info and info.get("scope")))
    st, text = js_fetch(d, "PUT", "/v1/mode", info and info.get("csrf_token"), {"mode": "idle", "expires_in_s": 60})
    check("read scope: PUT /v1/mode with the CSRF token gets 403", st == 403, f"{st} {text[:160]}")
    d.get_log("browser")  # the 403 above is logged as an error on purpose

    # -- screenshots (read login), light and dark
    shots = [("dashboard-390x844.png", 390, 844, False, False), ("dashboard-1280x900.png", 1280, 900, False, False),
             ("dashboard-390-full.png", 390, 844, True, False), ("dashboard-1280-full.png", 1280, 900, True, False),
             ("dashboard-1280x900-dark.png", 1280, 900, False, True), ("dashboard-390x844-dark.png", 390, 844, False, True)]
    for name, w, h, full, dark in shots:
        p = os.path.join(args.screenshots, name)
        check(f"screenshot {p}", screenshot(d, p, w, h, full, dark))

    # -- first render metrics: a cold reload with the session cookie
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    d.get(site.ui)
    wait(d, lambda: d.execute_script("return document.body.dataset.ready") == "1", 10)
    time.sleep(0.5)
    m = d.execute_script("""
        const mark = performance.getEntriesByName('bessd-first-status')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource');
        const sum = (k) => res.reduce((a, r) => a + (r[k] || 0), nav ? nav[k] || 0 : 0);
        const page = res.filter(r => /\\/ui\\//.test(r.name));
        return {first: mark ? mark.startTime : null, fcp: fcp ? fcp.startTime : null,
                transfer: sum('transferSize'), encoded: sum('encodedBodySize'), decoded: sum('decodedBodySize'),
                page_transfer: page.reduce((a, r) => a + r.transferSize, nav ? nav.transferSize : 0),
                requests: res.length + 1,
                dcl: nav ? nav.domContentLoadedEventEnd : null};""")
    d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    check("first status mark recorded", m["first"] is not None)
    metric("first_status_ms", round(m["first"] or -1, 1))
    metric("first_contentful_paint_ms", round(m["fcp"] or -1, 1))
    metric("dom_content_loaded_ms", round(m["dcl"] or -1, 1))
    metric("transfer_bytes", m["transfer"])
    metric("page_files_transfer_bytes", m["page_transfer"])
    metric("encoded_body_bytes", m["encoded"])
    metric("decoded_body_bytes", m["decoded"])
    metric("requests", m["requests"])
    errs = console_errors(d)
    check("no browser console errors (read session)", not errs, "; ".join(errs)[:500])
    check("logout returns to the login form", logout(d))

    # -- control login: acknowledge, change the mode, and back
    ok = login(d, site, ctl_tok)
    check("control login: page ready", ok)
    if not ok:
        return
    check("control scope: Acknowledge button shown", shown(d, "ack-button"))
    check("control scope: mode selector shown", shown(d, "mode-select"))
    info = session_info(d)
    if not args.skip_control:
        d.find_element(By.ID, "ack-button").click()
        check("Acknowledge button answers",
              wait(d, lambda: d.find_element(By.ID, "ack-msg").text.strip() != "", 5),
              d.find_element(By.ID, "ack-msg").text)
        st, text = js_fetch(d, "POST", "/v1/faults/ack", info["csrf_token"])
        check("control scope: POST /v1/faults/ack is 2xx", 200 <= st < 300, f"{st} {text[:160]}")
        before = site.status()
        old_mode, old_set = before["mode"], before.get("manual_setpoint_w")
        Select(d.find_element(By.ID, "mode-select")).select_by_value("idle")
        Select(d.find_element(By.ID, "mode-expiry")).select_by_value("3600")
        d.find_element(By.ID, "mode-apply").click()
        wait(d, lambda: d.find_element(By.ID, "mode-msg").text not in ("", "Sending…"), 6)
        ok = wait(d, lambda: site.status()["mode"] == "idle", 6)
        check("control scope: mode set to idle through the form", ok, d.find_element(By.ID, "mode-msg").text[:160])
        Select(d.find_element(By.ID, "mode-select")).select_by_value(old_mode)
        Select(d.find_element(By.ID, "mode-expiry")).select_by_value("")
        if old_mode == "manual":
            e = d.find_element(By.ID, "mode-setpoint")
            e.clear()
            e.send_keys(str(old_set or 0))
        d.find_element(By.ID, "mode-apply").click()
        ok = wait(d, lambda: site.status()["mode"] == old_mode, 6)
        check(f"control scope: mode back to {old_mode}", ok, d.find_element(By.ID, "mode-msg").text[:160])

    # -- a forged write from another origin, while the control session's cookie is in the browser
    max_id, _ = audit_max_id(d)
    atk = Attacker(site.origin)
    try:
        main_handle = d.current_window_handle
        d.switch_to.new_window("tab")
        d.get(atk.url)
        time.sleep(2.5)  # the fetch, then the form's submission
        body = d.find_element(By.TAG_NAME, "body").text
        refused = '"error"' in body or "error" in body.lower() or body.strip() == ""
        check("cross-site form POST /v1/faults/ack refused", refused and "acknowledged" not in body,
              body.replace("\n", " ")[:200])
        d.close()
        d.switch_to.window(main_handle)
        d.get_log("browser")
    finally:
        atk.close()
    new_id, recs = audit_max_id(d)
    if max_id is None:
        check("no acknowledgement recorded from the forged requests", False, "GET /v1/audit failed")
    else:
        forged = [r for r in recs if r.get("id", 0) > max_id and r.get("action") == "ack_faults"]
        check("no acknowledgement recorded from the forged requests", not forged, json.dumps(forged)[:300])
    errs = console_errors(d)
    check("no browser console errors (control session)", not errs, "; ".join(errs)[:500])
    logout(d)


if __name__ == "__main__":
    sys.exit(main())

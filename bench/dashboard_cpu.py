#!/usr/bin/python3
"""The daemon's CPU cost of one open dashboard.

Run inside the demo, which exports what it needs:

    scripts/demo.sh --then '/usr/bin/python3 bench/dashboard_cpu.py --seconds 60'

Measures bessd's CPU time (utime + stime from /proc/PID/stat) over --seconds with no browser,
then over the same time with one headless chromium showing the dashboard (logged in with the
read token, polling as the page does), and prints both as a share of one core.
"""
import argparse
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def measure(pid, seconds):
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start)


def open_dashboard(url, token):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "token").is_displayed())
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "login-form").submit()
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    return driver


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pid", type=int, default=int(os.environ.get("BESSD_DEMO_PID", 0)))
    parser.add_argument("--url", default=os.environ.get("BESSD_DEMO_URL"))
    parser.add_argument("--token", default=os.environ.get("BESSD_DEMO_READ_TOKEN"))
    args = parser.parse_args()
    if not args.pid or not args.url or not args.token:
        sys.exit("dashboard_cpu: --pid, --url and --token (or run it with demo.sh --then)")
    idle = measure(args.pid, args.seconds)
    print(f"bessd without a dashboard: {idle * 100:.2f} % of one core over {args.seconds:.0f} s")
    driver = open_dashboard(args.url, args.token)
    try:
        shown = measure(args.pid, args.seconds)
    finally:
        driver.quit()
    print(f"bessd with one dashboard open: {shown * 100:.2f} % of one core over "
          f"{args.seconds:.0f} s (+{(shown - idle) * 100:.2f} points)")


if __name__ == "__main__":
    main()

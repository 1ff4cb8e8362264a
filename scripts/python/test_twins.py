"""Checks the Python twins: each compiles, and (with their packages installed)
each runs at a tiny size against a local site_server and writes the record
run_all reads: items, errors, and the site's max in flight.

Run: target/python-venv/bin/python scripts/python/test_twins.py --site-server target/debug/site_server
     python3 scripts/python/test_twins.py --compile-only
Ends with one line: "N passed, M failed" (exit 1 if any failed).
"""

import argparse
import glob
import json
import os
import py_compile
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TWINS = sorted(p for p in glob.glob(os.path.join(HERE, "*.py"))
               if os.path.basename(p) not in ("twin_common.py", "test_twins.py"))
CPUS = os.cpu_count()

# twin, its flags (tiny sizes), items expected, the site's max in flight expected
# (None: the twin does not use the site).
RUNS = [
    ("download_sync", [], 160, 1),
    ("download_threads", [], 160, 5),          # ThreadPoolExecutor(max_workers=5)
    ("download_async", [], 160, 100),          # aiohttp's default connection limit
    ("download_processes", [], 160, CPUS),     # Pool(): one worker per CPU
    ("scrape_threads", ["--count", "12", "--workers", "6"], 12, 6),
    ("scrape_threads", ["--count", "5", "--as-in-article"], 5, 1),
    ("scrape_async", ["--count", "150"], 150, 100),
    ("scrape_async", ["--count", "30", "--limit", "7"], 30, 7),
    ("scrape_processes", ["--count", "8"], 8, CPUS),
    ("scrape_async_processes", ["--count", "8", "--per-process", "4"], 8, None),
    ("crawl_serial", ["--max-urls", "30"], None, 1),
    ("crawl_pool", ["--max-urls", "30"], None, range(2, 11)),  # a fresh Pool(10) per batch: its
    # workers start one after another, so fewer than 10 may overlap; never more.
    ("crawl_async", ["--max-urls", "30"], None, None),
    ("crawl_bottleneck", ["--samples", "3"], 3, 1),
    ("cpu_sync", ["--quick"], 20, None),
    ("cpu_threads", ["--quick"], 20, None),
    ("cpu_processes", ["--quick"], 20, None),
    ("sync_count", ["--seconds", "0.01"], 3, None),
    ("async_count", ["--seconds", "0.01"], 3, None),
    ("threads_basic", ["--seconds", "0.01"], 2, None),
    ("processes_basic", ["--seconds", "0.01"], 2, None),
    ("async_basic", ["--seconds", "0.01"], 2, None),
    ("async_fetch_sim", ["--seconds", "0.01"], 3, None),
    ("pool_map", ["--inputs", "40", "--time-scale", "0.001"], 40, None),
    ("pool_apply_async", ["--inputs", "40", "--time-scale", "0.001", "--workers", "4"], 40, None),
    ("async_squares", ["--time-scale", "0.01"], 100, None),
]
SITE_TWINS = ("download_", "scrape_", "crawl_")


def start_site(exe):
    site = subprocess.Popen([exe, "--port", "0", "--latency-ms", "20", "--jitter-ms", "0"],
                            stdout=subprocess.PIPE, text=True)
    first = site.stdout.readline()  # "listening on http://127.0.0.1:PORT"
    if "http://" not in first:
        site.kill()
        raise SystemExit(f"site_server did not say where it listens: {first!r}")
    return site, first.split()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site-server", help="the site_server binary (needed unless --compile-only)")
    parser.add_argument("--compile-only", action="store_true")
    args = parser.parse_args()
    passed, failed = 0, 0

    def check(name, ok, why=""):
        nonlocal passed, failed
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + why}", flush=True)
        passed, failed = passed + ok, failed + (not ok)

    with tempfile.TemporaryDirectory() as tmp:
        for twin in TWINS:
            try:
                py_compile.compile(twin, cfile=os.path.join(tmp, "x.pyc"), doraise=True)
                check(f"compiles {os.path.basename(twin)}", True)
            except py_compile.PyCompileError as err:
                check(f"compiles {os.path.basename(twin)}", False, str(err))
        names = {os.path.basename(t)[:-3] for t in TWINS}
        check("every run has a twin and every twin a run",
              names == {run[0] for run in RUNS}, str(names ^ {run[0] for run in RUNS}))

        if not args.compile_only:
            if not args.site_server:
                raise SystemExit("--site-server is needed to run the twins (or --compile-only)")
            site, url = start_site(args.site_server)
            try:
                for index, (twin, flags, items, in_flight) in enumerate(RUNS):
                    report = os.path.join(tmp, f"{index}-{twin}.jsonl")
                    command = [sys.executable, os.path.join(HERE, twin + ".py"), *flags]
                    if twin.startswith(SITE_TWINS):
                        command += ["--site", url]
                    label = f"runs {twin} {' '.join(flags)}".rstrip()
                    try:
                        done = subprocess.run(command, env={**os.environ, "RUN_ALL_REPORT": report},
                                              capture_output=True, text=True, timeout=120)
                    except subprocess.TimeoutExpired:
                        check(label, False, "no answer within 120 s")
                        continue
                    if done.returncode != 0 or not os.path.exists(report):
                        check(label, False, f"exit {done.returncode}: {done.stderr[-500:]}")
                        continue
                    with open(report) as f:
                        records = [json.loads(line) for line in f if line.strip()]
                    record = records[-1] if records else {}
                    problems = []
                    if len(records) != 1 or record.get("example") != twin:
                        problems.append(f"records {records}")
                    if record.get("errors") != 0:
                        problems.append(f"errors {record.get('errors')}")
                    if items is not None and record.get("items") != items:
                        problems.append(f"items {record.get('items')} != {items}")
                    if items is None and not record.get("items"):
                        problems.append("no page fetched")
                    seen = record.get("extra", {}).get("max_in_flight")
                    if isinstance(in_flight, range) and seen not in in_flight:
                        problems.append(f"max in flight {seen} not in {in_flight}")
                    elif isinstance(in_flight, int) and seen != in_flight:
                        problems.append(f"max in flight {seen} != {in_flight}")
                    if twin in ("crawl_serial", "crawl_pool", "crawl_async") and record.get("extra", {}).get("urls_found") != 30:
                        problems.append(f"urls_found {record.get('extra', {}).get('urls_found')}")
                    check(label, not problems, "; ".join(problems))
                # A bad flag is refused with exit 2, as in the Rust examples.
                bad = subprocess.run([sys.executable, os.path.join(HERE, "scrape_async.py"),
                                      "--site", url, "--count", "0"],
                                     capture_output=True, text=True, timeout=30)
                check("a bad flag exits 2", bad.returncode == 2, f"exit {bad.returncode}")
            finally:
                site.kill()
                site.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

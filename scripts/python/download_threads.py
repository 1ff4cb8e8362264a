"""I/O-bound with 5 threads, one requests.Session per thread (threading.local).

Twin of crates/download_threads ("Threading").
Run: python3 scripts/python/download_threads.py --site http://127.0.0.1:PORT
"""

import concurrent.futures
import threading
import time

import requests

from twin_common import finish, max_in_flight, parse_args, reset_stats, two_sites

TIMEOUT = 10.0
# A Session is not safe to share between threads, so each thread makes its own.
thread_local = threading.local()


def get_session():
    if not hasattr(thread_local, "session"):
        thread_local.session = requests.Session()
    return thread_local.session


def download_site(url):
    session = get_session()  # <- changed from download_sync
    try:
        with session.get(url, timeout=TIMEOUT) as response:
            response.raise_for_status()
            print(f"Read {len(response.content)} from {url}")
            return True
    except requests.RequestException as err:
        print(f"Failed {url}: {err}")
        return False


def download_all_sites(sites):
    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:  # <- changed
        return list(executor.map(download_site, sites))


if __name__ == "__main__":
    args = parse_args(__doc__, site=True)
    TIMEOUT = args.timeout
    sites = two_sites(args.site)
    reset_stats(args.site)

    start_time = time.perf_counter()
    outcomes = download_all_sites(sites)
    duration = time.perf_counter() - start_time
    read = sum(outcomes)
    print(f"Downloaded {read} in {duration:.2f} seconds")
    finish("download_threads", duration, read, len(outcomes) - read,
           max_in_flight=max_in_flight(args.site), workers=5)

"""I/O-bound, synchronous: 160 downloads with one requests.Session, in turn.

Twin of crates/download_sync ("How to Speed Up an I/O-Bound Program: Synchronous Version").
Run: python3 scripts/python/download_sync.py --site http://127.0.0.1:PORT
"""

import time

import requests

from twin_common import finish, max_in_flight, parse_args, reset_stats, two_sites

TIMEOUT = 10.0


def download_site(url, session):
    # Returns whether the page was read, so failures are counted, not fatal.
    try:
        with session.get(url, timeout=TIMEOUT) as response:
            response.raise_for_status()
            print(f"Read {len(response.content)} from {url}")
            return True
    except requests.RequestException as err:
        print(f"Failed {url}: {err}")
        return False


def download_all_sites(sites):
    with requests.Session() as session:
        return [download_site(url, session) for url in sites]


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
    finish("download_sync", duration, read, len(outcomes) - read,
           max_in_flight=max_in_flight(args.site), workers=1)

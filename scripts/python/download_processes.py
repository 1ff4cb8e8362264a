"""I/O-bound with a process pool; each worker builds its Session once.

Twin of crates/download_processes ("Multiprocessing").
Run: python3 scripts/python/download_processes.py --site http://127.0.0.1:PORT
"""

import multiprocessing
import time

import requests

from twin_common import finish, max_in_flight, parse_args, reset_stats, two_sites

TIMEOUT = 10.0
session = None


def set_global_session(timeout):
    # Runs once in each worker process: a Session cannot be pickled across.
    global session, TIMEOUT
    if not session:
        session = requests.Session()
    TIMEOUT = timeout


def download_site(url):
    name = multiprocessing.current_process().name
    try:
        with session.get(url, timeout=TIMEOUT) as response:
            response.raise_for_status()
            print(f"{name}:Read {len(response.content)} from {url}")
            return True
    except requests.RequestException as err:
        print(f"{name}:Failed {url}: {err}")
        return False


def download_all_sites(sites, timeout):
    with multiprocessing.Pool(initializer=set_global_session, initargs=(timeout,)) as pool:
        return pool.map(download_site, sites)


if __name__ == "__main__":
    args = parse_args(__doc__, site=True)
    sites = two_sites(args.site)
    reset_stats(args.site)

    start_time = time.perf_counter()
    outcomes = download_all_sites(sites, args.timeout)
    duration = time.perf_counter() - start_time
    read = sum(outcomes)
    print(f"Downloaded {read} in {duration:.2f} seconds")
    finish("download_processes", duration, read, len(outcomes) - read,
           max_in_flight=max_in_flight(args.site), workers=multiprocessing.cpu_count())

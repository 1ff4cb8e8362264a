"""Scraper with a ProcessPoolExecutor: one interpreter per CPU, requests.get in each.

Twin of crates/scrape_processes ("how does multiprocessing work?").
Run: python3 scripts/python/scrape_processes.py --site URL [--count 500]
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import requests

from twin_common import domain_urls, finish, max_in_flight, parse_args, positive_int, reset_stats


def flags(parser):
    parser.add_argument("--count", type=positive_int, default=10, help="domains to scrape (10 or 500)")


def fetch_status(url, timeout):
    # A Response is pickled back to the parent; the status is all we need.
    return requests.get(url, timeout=timeout).status_code


def multiprocessing_scraper(urls, timeout):
    tasks, read, failed = [], 0, 0
    with ProcessPoolExecutor() as executor:  # one worker per CPU
        for url in urls:
            tasks.append(executor.submit(fetch_status, url, timeout))
        for task in as_completed(tasks, timeout=timeout * len(urls)):
            try:
                if task.result() < 400:
                    read += 1
                else:
                    failed += 1
            except requests.RequestException as err:
                print(f" Error while executing : {err}")
                failed += 1
    return read, failed


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=flags)
    urls = domain_urls(args.site, args.count)
    reset_stats(args.site)

    start = time.perf_counter()
    read, failed = multiprocessing_scraper(urls, args.timeout)
    elapsed = time.perf_counter() - start
    print(f"Function 'multiprocessing_scraper' executed in {elapsed:.4f}s")
    finish("scrape_processes", elapsed, read, failed,
           max_in_flight=max_in_flight(args.site), workers=os.cpu_count())

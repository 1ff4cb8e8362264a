"""Scraper with a ThreadPoolExecutor, results taken as they complete.

Twin of crates/scrape_threads ("how does multithreading work in Python?").
Run: python3 scripts/python/scrape_threads.py --site URL [--count 500] [--workers 6] [--as-in-article]
Notice: --as-in-article waits on as_completed inside the submit loop, as the
article's code does, so only one request is ever in flight.
"""

import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import requests

from twin_common import domain_urls, finish, max_in_flight, parse_args, positive_int, reset_stats


def flags(parser):
    parser.add_argument("--count", type=positive_int, default=10, help="domains to scrape (10 or 500)")
    parser.add_argument("--workers", type=positive_int, default=None,
                        help="pool size (default Python's: min(32, CPUs + 4))")
    parser.add_argument("--as-in-article", action="store_true",
                        help="wait for the results inside the submit loop")


def multithreading_scraper(urls, workers, timeout, as_in_article):
    threads, read, failed = [], 0, 0

    def collect(tasks):
        nonlocal read, failed
        for task in as_completed(tasks, timeout=timeout * len(urls)):
            try:
                task.result().raise_for_status()
                read += 1
            except requests.RequestException as err:
                print(f"uncaught exception :{err}")
                failed += 1

    with ThreadPoolExecutor(max_workers=workers) as executor:
        for url in urls:
            threads.append(executor.submit(requests.get, url, timeout=timeout))
            if as_in_article:
                collect(threads)
                threads = []
        collect(threads)
    return read, failed


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=flags)
    urls = domain_urls(args.site, args.count)
    reset_stats(args.site)

    start = time.perf_counter()
    read, failed = multithreading_scraper(urls, args.workers, args.timeout, args.as_in_article)
    elapsed = time.perf_counter() - start
    print(f"Function 'multithreading_scraper' executed in {elapsed:.4f}s")
    finish("scrape_threads", elapsed, read, failed, max_in_flight=max_in_flight(args.site))

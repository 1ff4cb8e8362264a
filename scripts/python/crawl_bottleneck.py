"""Where a crawler's time goes: the request, the parse, the link extraction.

Twin of crates/crawl_bottleneck (LinkedIn notebook, "understanding bottleneck").
Run: python3 scripts/python/crawl_bottleneck.py --site URL [--samples 20]
"""

import time
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup

from twin_common import (finish, keep_link, max_in_flight, parse_args, positive_int,
                         reset_stats, start_url)


def flags(parser):
    parser.add_argument("--samples", type=positive_int, default=20,
                        help="pages to time, one after the other (default 20; --quick 5)")


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=flags)
    samples = 5 if args.quick and args.samples == 20 else args.samples
    reset_stats(args.site)
    root = start_url(args.site)
    pages, fetched, failed = [root], 0, 0
    totals = [0.0, 0.0, 0.0]
    start = time.time()
    while pages and fetched + failed < samples:
        url = pages.pop(0)
        s1 = time.time()
        try:
            reqs = requests.get(url, timeout=args.timeout)
            reqs.raise_for_status()
        except requests.RequestException as err:
            print(f"Failed {url}: {err}")
            failed += 1
            continue
        s2 = time.time()
        soup = BeautifulSoup(reqs.text, "html.parser")
        s3 = time.time()
        q = []
        for link in soup.find_all("a"):
            y = keep_link(root, urljoin(url, link.get("href") or ""))
            if y is not None:
                q.append(y)
        s4 = time.time()
        fetched += 1
        pages.extend(q)
        totals = [totals[0] + s2 - s1, totals[1] + s3 - s2, totals[2] + s4 - s3]
    elapsed = time.time() - start
    n = max(fetched, 1)
    print(totals[0] / n, totals[1] / n, totals[2] / n)
    finish("crawl_bottleneck", elapsed, fetched, failed,
           request_seconds=totals[0] / n, parse_seconds=totals[1] / n,
           extract_seconds=totals[2] / n, max_in_flight=max_in_flight(args.site))

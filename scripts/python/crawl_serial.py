"""A breadth-first crawler, one request at a time (requests + BeautifulSoup).

Twin of crates/crawl_serial (LinkedIn notebook, "Serial method test").
Run: python3 scripts/python/crawl_serial.py --site URL [--max-urls 2000]
"""

import time
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup

from twin_common import (crawl_flags, finish, keep_link, max_in_flight, parse_args,
                         reset_stats, start_url)

TIMEOUT = 10.0
fetched = failed = 0


def get_urls(url):
    global fetched, failed
    try:
        reqs = requests.get(url, timeout=TIMEOUT)
        reqs.raise_for_status()
    except requests.RequestException as err:
        print(f"Failed {url}: {err}")
        failed += 1
        return []
    fetched += 1
    soup = BeautifulSoup(reqs.text, "html.parser")
    return [urljoin(url, link.get("href") or "") for link in soup.find_all("a")]


def get_all_urls(url, max_urls=10000):
    q = [url]
    p = 0
    visited = {url: True}
    while p < len(q) and len(q) < max_urls:
        x = q[p]
        for y in get_urls(x):
            y = keep_link(url, y)
            if y is not None and y not in visited and len(q) < max_urls:
                q.append(y)
                visited[y] = True
        p += 1
    return q


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=crawl_flags)
    TIMEOUT = args.timeout
    reset_stats(args.site)
    start_time = time.time()
    res = get_all_urls(start_url(args.site), max_urls=args.max_urls)
    elapsed = time.time() - start_time
    print(elapsed)
    print(len(res), res[min(432, len(res) - 1)])
    finish("crawl_serial", elapsed, fetched, failed, urls_found=len(res),
           max_in_flight=max_in_flight(args.site), concurrency=1)

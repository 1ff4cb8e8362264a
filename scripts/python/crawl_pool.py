"""The crawler in batches of 10: Pool(10).apply_async per URL, callback adds links.

Twin of crates/crawl_pool (LinkedIn notebook, "parallel method test").
Uses the `multiprocess` package, as the notebook does.
Run: python3 scripts/python/crawl_pool.py --site URL [--max-urls 2000]
"""

import time
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup
from multiprocess import Pool

from twin_common import (crawl_flags, finish, keep_link, max_in_flight, parse_args,
                         reset_stats, start_url)


def get_urls(url, timeout):
    # Runs in a worker process; returns (ok, links) so the parent counts failures.
    try:
        reqs = requests.get(url, timeout=timeout)
        reqs.raise_for_status()
    except requests.RequestException as err:
        print(f"Failed {url}: {err}")
        return False, []
    soup = BeautifulSoup(reqs.text, "html.parser")
    return True, [urljoin(url, link.get("href") or "") for link in soup.find_all("a")]


def get_all_urls_parallel(url, max_urls=10000, max_worker=10, timeout=10.0):
    tally = {"fetched": 0, "failed": 0}

    def post_process(result):
        ok, links = result
        tally["fetched" if ok else "failed"] += 1
        for y in links:
            y = keep_link(url, y)
            if y is not None and y not in visited and len(q) < max_urls:
                q.append(y)
                visited[y] = True

    q = [url]
    p = 0
    visited = {url: True}
    while p < len(q) and len(q) < max_urls:
        p_next = min([len(q), p + max_worker])
        # As in the notebook, a fresh pool per batch: the batch ends when
        # its slowest page does.
        pool = Pool(max_worker)
        for i in range(p, p_next):
            pool.apply_async(get_urls, args=(q[i], timeout), callback=post_process)
        pool.close()
        pool.join()
        p = p_next
    return q, tally


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=crawl_flags)
    reset_stats(args.site)
    start_time = time.time()
    res, tally = get_all_urls_parallel(start_url(args.site), max_urls=args.max_urls,
                                       timeout=args.timeout)
    elapsed = time.time() - start_time
    print(elapsed)
    print(len(res), res[min(432, len(res) - 1)])
    finish("crawl_pool", elapsed, tally["fetched"], tally["failed"], urls_found=len(res),
           max_in_flight=max_in_flight(args.site), concurrency=10)

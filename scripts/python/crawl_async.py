"""The crawler level by level: asyncio + run_in_executor(requests.get) on 20 threads.

Twin of crates/crawl_async (LinkedIn notebook, "test asyncio method").
Run: python3 scripts/python/crawl_async.py --site URL [--max-urls 2000]
"""

import asyncio
import concurrent.futures
import functools
import time
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup

from twin_common import (crawl_flags, finish, keep_link, max_in_flight, parse_args,
                         reset_stats, start_url)

TIMEOUT = 10.0
tally = {"fetched": 0, "failed": 0}


async def get_urls_asyncio(url, max_urls=10000):
    async def get_urls(urls, max_workers=20):
        # requests blocks, so each call runs on a pool thread and the event
        # loop awaits its future.
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as executor:
            futures = [loop.run_in_executor(executor, functools.partial(
                requests.get, page, timeout=TIMEOUT)) for page in urls]
            answers = await asyncio.gather(*futures, return_exceptions=True)
        pages = []
        for page, reqs in zip(urls, answers):
            if isinstance(reqs, BaseException) or not reqs.ok:
                print(f"Failed {page}: {reqs!r}")
                tally["failed"] += 1
                continue
            tally["fetched"] += 1
            pages.append((page, BeautifulSoup(reqs.text, "html.parser")))
        return pages

    q = [url]
    visited = {url: True}
    p = 0
    while p < len(q) and len(q) < max_urls:
        p_next = len(q)
        for page, s in await get_urls(q[p:]):
            for link in s.find_all("a"):
                y = keep_link(url, urljoin(page, link.get("href") or ""))
                if y is not None and y not in visited and len(q) < max_urls:
                    q.append(y)
                    visited[y] = True
        p = p_next
    return q


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=crawl_flags)
    TIMEOUT = args.timeout
    reset_stats(args.site)
    s = time.time()
    res = asyncio.run(get_urls_asyncio(start_url(args.site), max_urls=args.max_urls))
    elapsed = time.time() - s
    print(f"{elapsed:0.2f} seconds.")
    print(len(res), res[min(432, len(res) - 1)])
    finish("crawl_async", elapsed, tally["fetched"], tally["failed"], urls_found=len(res),
           max_in_flight=max_in_flight(args.site), concurrency=20)

"""Scraper with aiohttp and asyncio.gather, called from sync code (async_to_sync).

Twin of crates/scrape_async ("how does Asyncio work in Python?").
Run: python3 scripts/python/scrape_async.py --site URL [--count 500] [--limit 100]
Notice: aiohttp's ClientSession holds at most 100 connections by default
(TCPConnector(limit=100)), so 500 URLs go out in five rounds; --limit sets
that cap, as --limit does for the Rust twin.
"""

import asyncio
import time

import aiohttp
from asgiref import sync

from twin_common import domain_urls, finish, max_in_flight, parse_args, positive_int, reset_stats


def flags(parser):
    parser.add_argument("--count", type=positive_int, default=10, help="domains to scrape (10 or 500)")
    parser.add_argument("--limit", type=positive_int, default=100,
                        help="connections at once (aiohttp's default connector: 100)")


def async_aiohttp_scraper(urls, timeout, limit):

    async def get_all(urls):
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        connector = aiohttp.TCPConnector(limit=limit)
        async with aiohttp.ClientSession(timeout=client_timeout, connector=connector) as session:
            async def fetch(url):
                try:
                    async with session.get(url) as response:
                        response.raise_for_status()
                        return await response.text()
                except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                    print(f"uncaught exception :{err!r}")
                    return None

            return await asyncio.gather(*[fetch(url) for url in urls])

    # A sync function on the outside, an event loop inside.
    return sync.async_to_sync(get_all)(urls)


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=flags)
    urls = domain_urls(args.site, args.count)
    reset_stats(args.site)

    start = time.perf_counter()
    pages = async_aiohttp_scraper(urls, args.timeout, args.limit)
    elapsed = time.perf_counter() - start
    read = sum(page is not None for page in pages)
    print(f"Function 'async_aiohttp_scraper' executed in {elapsed:.4f}s")
    finish("scrape_async", elapsed, read, len(pages) - read,
           max_in_flight=max_in_flight(args.site), connection_limit=args.limit)

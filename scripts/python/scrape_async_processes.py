"""Scraper with processes each running asyncio on a chunk of the URLs.

Twin of crates/scrape_async_processes ("Is it possible to combine Asyncio with multiprocessing?").
Run: python3 scripts/python/scrape_async_processes.py --site URL [--count 500 --per-process 42]
"""

import asyncio
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import aiohttp
from asgiref import sync

from twin_common import domain_urls, finish, max_in_flight, parse_args, positive_int, reset_stats


def flags(parser):
    parser.add_argument("--count", type=positive_int, default=10, help="domains to scrape (10 or 500)")
    parser.add_argument("--per-process", type=positive_int, default=1,
                        help="URLs per chunk (the article: 1 for 10 URLs, 42 for 500)")


def async_aiohttp_scraper(urls, timeout):

    async def get_all(urls):
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            async def fetch(url):
                try:
                    async with session.get(url) as response:
                        response.raise_for_status()
                        await response.text()
                        return True
                except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                    print(f"uncaught exception :{err!r}")
                    return False

            return await asyncio.gather(*[fetch(url) for url in urls])

    return sync.async_to_sync(get_all)(urls)


def async_multiprocessing_scraper(urls, url_per_asynf, timeout):
    tasks, read, failed = [], 0, 0
    with ProcessPoolExecutor() as executor:
        for i in range(0, len(urls), url_per_asynf):
            list_urls_to_scrap = urls[i: i + url_per_asynf]
            tasks.append(executor.submit(async_aiohttp_scraper, list_urls_to_scrap, timeout))
        for task in as_completed(tasks, timeout=timeout * len(tasks)):
            outcomes = task.result()
            read += sum(outcomes)
            failed += len(outcomes) - sum(outcomes)
    return read, failed


if __name__ == "__main__":
    args = parse_args(__doc__, site=True, extra=flags)
    urls = domain_urls(args.site, args.count)
    reset_stats(args.site)

    start = time.perf_counter()
    read, failed = async_multiprocessing_scraper(urls, args.per_process, args.timeout)
    elapsed = time.perf_counter() - start
    print(f"Function 'async_multiprocessing_scraper' executed in {elapsed:.4f}s")
    finish("scrape_async_processes", elapsed, read, failed,
           max_in_flight=max_in_flight(args.site), workers=os.cpu_count())

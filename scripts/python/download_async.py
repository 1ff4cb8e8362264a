"""I/O-bound with asyncio: one aiohttp session, every download gathered.

Twin of crates/download_async ("Asyncio").
Run: python3 scripts/python/download_async.py --site http://127.0.0.1:PORT
Notice: aiohttp's session keeps at most 100 connections by default, so the
160 downloads go out in two rounds (the site's max in flight says 100).
"""

import asyncio
import time

import aiohttp

from twin_common import finish, max_in_flight, parse_args, reset_stats, two_sites

TIMEOUT = 10.0


async def download_site(session, url):
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.read()
        print(f"Read {len(body)} from {url}")
        return True


async def download_all_sites(sites):
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        tasks = [asyncio.ensure_future(download_site(session, url)) for url in sites]
        # return_exceptions=True: a failed page is a value in the list, not
        # an exception that cancels the other downloads.
        results = await asyncio.gather(*tasks, return_exceptions=True)
    for url, result in zip(sites, results):
        if isinstance(result, BaseException):
            print(f"Failed {url}: {result!r}")
    return [result is True for result in results]


if __name__ == "__main__":
    args = parse_args(__doc__, site=True)
    TIMEOUT = args.timeout
    sites = two_sites(args.site)
    reset_stats(args.site)

    start_time = time.perf_counter()
    outcomes = asyncio.run(download_all_sites(sites))
    duration = time.perf_counter() - start_time
    read = sum(outcomes)
    print(f"Downloaded {read} sites in {duration:.2f} seconds")
    finish("download_async", duration, read, len(outcomes) - read,
           max_in_flight=max_in_flight(args.site), connection_limit=100)

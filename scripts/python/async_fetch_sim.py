"""Three simulated downloads (asyncio.sleep) gathered: about one pause, not three.

Twin of crates/async_fetch_sim ("Using Asyncio for Concurrent Tasks").
Run: python3 scripts/python/async_fetch_sim.py [--quick] [--seconds 2]
"""

import asyncio
import time

from twin_common import finish, parse_args, seconds_flag

PAUSE = 2.0
URLS = ["http://example.com", "http://example.org", "http://example.net"]


async def fetch_data(url):
    # Nothing is fetched: the sleep stands for the network.
    print(f"Fetching {url}")
    await asyncio.sleep(PAUSE)
    print(f"Finished fetching {url}")


async def main():
    tasks = [fetch_data(url) for url in URLS]
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: seconds_flag(p, 2.0))
    PAUSE = args.seconds if args.seconds is not None else (0.2 if args.quick else 2.0)
    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    print(f"Done in {elapsed:.2f} seconds")
    finish("async_fetch_sim", elapsed, len(URLS), simulated_seconds_each=PAUSE)

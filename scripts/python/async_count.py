"""count() three times under asyncio.gather: the sleeps overlap on one thread.

Twin of crates/async_count ("Asyncio (The Python library)").
Run: python3 scripts/python/async_count.py [--quick] [--seconds 1]
"""

import asyncio
import time

from twin_common import finish, parse_args, seconds_flag

PAUSE = 1.0


async def count():
    print("One")
    await asyncio.sleep(PAUSE)  # <- changed from sync_count: gives the loop back
    print("Two")


async def main():
    await asyncio.gather(count(), count(), count())


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: seconds_flag(p, 1.0))
    PAUSE = args.seconds if args.seconds is not None else (0.2 if args.quick else 1.0)
    s = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - s
    print(f"executed in {elapsed:0.2f}s.")
    finish("async_count", elapsed, 3, seconds=PAUSE)

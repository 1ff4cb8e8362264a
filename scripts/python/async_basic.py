"""Two coroutines each print 0..4, gathered on one event loop.

Twin of crates/async_basic ("Async and Await").
Run: python3 scripts/python/async_basic.py [--quick] [--seconds 1]
"""

import asyncio
import time

from twin_common import finish, parse_args, seconds_flag

PAUSE = 1.0


async def print_numbers():
    for i in range(5):
        print(i)
        await asyncio.sleep(PAUSE)  # a non-blocking pause: the other coroutine runs


async def main():
    await asyncio.gather(print_numbers(), print_numbers())


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: seconds_flag(p, 1.0))
    PAUSE = args.seconds if args.seconds is not None else (0.1 if args.quick else 1.0)
    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    print(f"Done in {elapsed:.2f} seconds")
    finish("async_basic", elapsed, 2, seconds=PAUSE)

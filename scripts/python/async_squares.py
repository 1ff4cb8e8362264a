"""asyncio.gather of 100 cal_square coroutines, each sleeping random() seconds.

Twin of crates/async_squares (LinkedIn notebook, "Async IO").
Run: python3 scripts/python/async_squares.py [--quick] [--time-scale 1]
"""

import asyncio
import random
import time

from twin_common import finish, parse_args

TIME_SCALE = 1.0
longest = 0.0


async def cal_square(x: int):
    global longest
    pause = random.random() * TIME_SCALE
    longest = max(longest, pause)
    await asyncio.sleep(pause)
    return x**2


async def main():
    return await asyncio.gather(*[cal_square(i) for i in range(100)])


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: p.add_argument(
        "--time-scale", type=float, default=None, help="multiplies every sleep (default 1; --quick 0.2)"))
    TIME_SCALE = args.time_scale if args.time_scale is not None else (0.2 if args.quick else 1.0)
    s = time.perf_counter()
    res = asyncio.run(main())
    elapsed = time.perf_counter() - s
    print(f"{elapsed:0.2f} seconds.")
    print(res)
    finish("async_squares", elapsed, len(res), ideal_seconds=longest)

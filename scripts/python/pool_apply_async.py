"""Pool(50).apply_async with a callback: results in completion order.

Twin of crates/pool_apply_async (LinkedIn notebook, "asynchronus multiprocessing").
Run: python3 scripts/python/pool_apply_async.py [--quick] [--workers 50]
"""

import random
import time

from multiprocess import Pool

from twin_common import finish, parse_args, positive_int, time_scale_flag

TIME_SCALE = 0.01


def set_time_scale(scale):
    global TIME_SCALE
    TIME_SCALE = scale


def cal_square(x: int = 0) -> int:
    time.sleep(random.random() * (1000 - x) / 200 * TIME_SCALE)
    return x**2


def flags(parser):
    time_scale_flag(parser, 0.01)
    parser.add_argument("--workers", type=positive_int, default=50, help="pool size (the article: 50)")


if __name__ == "__main__":
    args = parse_args(__doc__, extra=flags)
    scale = args.time_scale if args.time_scale is not None else 0.01
    res = []

    def add_to_res(x: int):
        # Runs on the pool's result thread, in the order the tasks finish.
        res.append(x)

    start_time = time.time()
    p = Pool(args.workers, initializer=set_time_scale, initargs=(scale,))
    for i in range(args.inputs):
        p.apply_async(cal_square, args=(i,), callback=add_to_res)
    p.close()
    p.join()
    elapsed = time.time() - start_time
    print(res[:10])
    print("--- %s seconds ---" % elapsed)
    complete = sorted(res) == [i * i for i in range(args.inputs)]
    finish("pool_apply_async", elapsed, len(res), 0 if complete else 1,
           workers=args.workers, time_scale=scale)

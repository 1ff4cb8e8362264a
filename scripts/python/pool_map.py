"""Pool().map of cal_square (a random sleep, then x*x): results in input order.

Twin of crates/pool_map (LinkedIn notebook, "Multiprocessing examples").
Uses the `multiprocess` package, as the notebook does (dill instead of pickle).
Run: python3 scripts/python/pool_map.py [--quick] [--time-scale 0.01]
"""

import os
import random
import time

from multiprocess import Pool

from twin_common import finish, parse_args, time_scale_flag

TIME_SCALE = 0.01


def set_time_scale(scale):
    # The pool's initializer: each worker keeps the scale for its tasks.
    global TIME_SCALE
    TIME_SCALE = scale


def cal_square(x: int = 0) -> int:
    time.sleep(random.random() * (1000 - x) / 200 * TIME_SCALE)
    return x**2


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: time_scale_flag(p, 0.002))
    scale = args.time_scale if args.time_scale is not None else (0.002 if args.quick else 0.01)
    start_time = time.time()
    p = Pool(initializer=set_time_scale, initargs=(scale,))
    res = p.map(cal_square, [i for i in range(args.inputs)])
    p.close()
    p.join()
    elapsed = time.time() - start_time
    print(res[:10])
    print("--- %s seconds ---" % elapsed)
    in_order = res == [i * i for i in range(args.inputs)]
    finish("pool_map", elapsed, len(res), 0 if in_order else 1,
           workers=os.cpu_count(), time_scale=scale)

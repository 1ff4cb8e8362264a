"""Two processes each print 0..4, pausing after each number.

Twin of crates/processes_basic ("Multiprocessing Module").
Run: python3 scripts/python/processes_basic.py [--quick] [--seconds 1]
"""

import multiprocessing
import time

from twin_common import finish, parse_args, seconds_flag


def print_numbers(pause):
    for i in range(5):
        print(i, flush=True)
        time.sleep(pause)


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: seconds_flag(p, 1.0))
    pause = args.seconds if args.seconds is not None else (0.1 if args.quick else 1.0)
    start = time.perf_counter()
    process1 = multiprocessing.Process(target=print_numbers, args=(pause,))
    process2 = multiprocessing.Process(target=print_numbers, args=(pause,))
    process1.start()
    process2.start()
    process1.join()
    process2.join()
    elapsed = time.perf_counter() - start
    print(f"Done in {elapsed:.2f} seconds")
    failed = sum(p.exitcode != 0 for p in (process1, process2))
    finish("processes_basic", elapsed, 2 - failed, failed, seconds=pause)

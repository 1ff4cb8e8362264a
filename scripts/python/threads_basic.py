"""Two threads each print 0..4, pausing after each number.

Twin of crates/threads_basic ("Threading Basics").
Run: python3 scripts/python/threads_basic.py [--quick] [--seconds 1]
"""

import threading
import time

from twin_common import finish, parse_args, seconds_flag

PAUSE = 1.0


def print_numbers():
    for i in range(5):
        print(i)
        time.sleep(PAUSE)


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: seconds_flag(p, 1.0))
    PAUSE = args.seconds if args.seconds is not None else (0.1 if args.quick else 1.0)
    start = time.perf_counter()
    thread1 = threading.Thread(target=print_numbers)
    thread2 = threading.Thread(target=print_numbers)
    thread1.start()
    thread2.start()
    thread1.join()
    thread2.join()
    elapsed = time.perf_counter() - start
    print(f"Done in {elapsed:.2f} seconds")
    finish("threads_basic", elapsed, 2, seconds=PAUSE)

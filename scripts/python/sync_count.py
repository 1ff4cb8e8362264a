"""count() three times with time.sleep: each call blocks the next.

Twin of crates/sync_count ("Asyncio (The Python library)").
Run: python3 scripts/python/sync_count.py [--quick] [--seconds 1]
"""

import time

from twin_common import finish, parse_args, seconds_flag

PAUSE = 1.0


def count():
    print("One")
    time.sleep(PAUSE)
    print("Two")


def main():
    for _ in range(3):
        count()


if __name__ == "__main__":
    args = parse_args(__doc__, extra=lambda p: seconds_flag(p, 1.0))
    PAUSE = args.seconds if args.seconds is not None else (0.2 if args.quick else 1.0)
    s = time.perf_counter()
    main()
    elapsed = time.perf_counter() - s
    print(f"executed in {elapsed:0.2f}s.")
    finish("sync_count", elapsed, 3, seconds=PAUSE)

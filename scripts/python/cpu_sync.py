"""CPU-bound, synchronous: sum of squares for 20 numbers, one after the other.

Twin of crates/cpu_sync ("How to Speed Up a CPU-Bound Program: Synchronous Version").
Run: python3 scripts/python/cpu_sync.py [--quick]
"""

import time

from twin_common import finish, parse_args


def cpu_bound(number):
    return sum(i * i for i in range(number))


def find_sums(numbers):
    return [cpu_bound(number) for number in numbers]


if __name__ == "__main__":
    args = parse_args(__doc__)
    start_number = 1_000_000 if args.quick else 5_000_000
    numbers = [start_number + x for x in range(20)]

    start_time = time.perf_counter()
    sums = find_sums(numbers)
    duration = time.perf_counter() - start_time
    print(f"Duration {duration:.3f} seconds")
    finish("cpu_sync", duration, len(sums), workers=1, total=str(sum(sums)))

"""CPU-bound with 5 threads: the GIL lets one thread compute at a time.

Twin of crates/cpu_threads ("Threading and Asyncio versions").
Run: python3 scripts/python/cpu_threads.py [--quick]
"""

import concurrent.futures
import time

from twin_common import finish, parse_args


def cpu_bound(number):
    return sum(i * i for i in range(number))


def find_sums(numbers):
    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:  # <- changed from cpu_sync
        return list(executor.map(cpu_bound, numbers))


if __name__ == "__main__":
    args = parse_args(__doc__)
    start_number = 1_000_000 if args.quick else 5_000_000
    numbers = [start_number + x for x in range(20)]

    start_time = time.perf_counter()
    sums = find_sums(numbers)
    duration = time.perf_counter() - start_time
    print(f"Duration {duration:.3f} seconds")
    finish("cpu_threads", duration, len(sums), workers=5, total=str(sum(sums)))

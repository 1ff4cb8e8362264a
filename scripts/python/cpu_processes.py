"""CPU-bound with a process pool: one interpreter (and one GIL) per CPU.

Twin of crates/cpu_processes ("CPU-Bound multiprocessing Version").
Run: python3 scripts/python/cpu_processes.py [--quick]
"""

import multiprocessing
import time

from twin_common import finish, parse_args


def cpu_bound(number):
    return sum(i * i for i in range(number))


def find_sums(numbers):
    with multiprocessing.Pool() as pool:  # <- changed from cpu_sync
        return pool.map(cpu_bound, numbers)


if __name__ == "__main__":
    args = parse_args(__doc__)
    start_number = 1_000_000 if args.quick else 5_000_000
    numbers = [start_number + x for x in range(20)]

    start_time = time.perf_counter()
    sums = find_sums(numbers)
    duration = time.perf_counter() - start_time
    print(f"Duration {duration:.3f} seconds")
    finish("cpu_processes", duration, len(sums),
           workers=multiprocessing.cpu_count(), total=str(sum(sums)))

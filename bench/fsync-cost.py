#!/usr/bin/env python3
"""What one spool group commit costs on this disk, appending vs overwriting a pre-zeroed file.

Writes 16 KiB (about one group commit of ~55 reads) then fdatasync, 3 000 times, twice per mode,
and prints the wall time and the whole machine's busy CPU per fsync (journal threads included,
which a per-process figure would miss). Run it on an otherwise idle machine:

    python3 bench/fsync-cost.py [directory]      # default: bench/target
"""
import os
import sys
import time

RECORD = b'x' * 16000
COMMITS = 3000


def busy_ticks():
    fields = list(map(int, open('/proc/stat').readline().split()[1:]))
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def run(path, prezeroed):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        if prezeroed:
            zeros = b'\0' * (1 << 20)
            for _ in range(COMMITS * len(RECORD) // len(zeros) + 2):
                os.write(fd, zeros)
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        ticks, started = busy_ticks(), time.time()
        for _ in range(COMMITS):
            os.write(fd, RECORD)
            os.fdatasync(fd)
        wall, ticks = time.time() - started, busy_ticks() - ticks
    finally:
        os.close(fd)
        os.remove(path)
    per_tick = 1e6 / os.sysconf('SC_CLK_TCK')
    print(f"{'pre-zeroed' if prezeroed else 'appending '}: {1e6 * wall / COMMITS:7.1f} us wall per fsync, "
          f"{ticks * per_tick / COMMITS:6.1f} us busy CPU per fsync (whole machine)")


if __name__ == '__main__':
    directory = sys.argv[1] if len(sys.argv) > 1 else 'bench/target'
    os.makedirs(directory, exist_ok=True)
    for _ in range(2):
        run(os.path.join(directory, 'fsync-cost.bin'), False)
        run(os.path.join(directory, 'fsync-cost.bin'), True)

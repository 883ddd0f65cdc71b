#!/usr/bin/env python3
"""What one spool group commit costs on this disk: appending, fallocate'd, or overwriting a pre-zeroed file.

Writes 16 KiB (about one group commit of ~55 reads) then fdatasync, 3 000 times, twice per mode,
and prints the wall time and the whole machine's busy CPU per fsync (journal threads included,
which a per-process figure would miss). The set-up (posix_fallocate, or writing and fsyncing the
zeros) is timed separately and then added to the CPU per fsync, so the pre-zeroed figure carries the
cost of zero-filling (what spool.preallocate does in the background). Run it on an otherwise idle
machine:

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


def run(path, mode):
    ticks0, wall0 = busy_ticks(), time.time()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        size = COMMITS * len(RECORD)
        if mode == 'pre-zeroed':
            zeros = b'\0' * (1 << 20)
            for _ in range(size // len(zeros) + 1):
                os.write(fd, zeros)
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        elif mode == 'fallocate':
            # unwritten extents: the first write to each still changes metadata at fdatasync
            os.posix_fallocate(fd, 0, size + (1 << 20))
            os.fsync(fd)
        ticks1, wall1 = busy_ticks(), time.time()
        for _ in range(COMMITS):
            os.write(fd, RECORD)
            os.fdatasync(fd)
        ticks2, wall2 = busy_ticks(), time.time()
    finally:
        os.close(fd)
        os.remove(path)
    per_tick = 1e6 / os.sysconf('SC_CLK_TCK')
    print(f"{mode:10}: {1e6 * (wall2 - wall1) / COMMITS:6.1f} us wall, {(ticks2 - ticks1) * per_tick / COMMITS:6.1f} us busy CPU "
          f"per fsync (whole machine); set-up {1e3 * (wall1 - wall0):4.0f} ms wall, with it "
          f"{(ticks2 - ticks0) * per_tick / COMMITS:6.1f} us CPU per fsync")


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] in ('-h', '--help'):
        print('usage: python3 bench/fsync-cost.py [DIRECTORY]   (default bench/target; the file system to measure)')
        sys.exit(0)
    directory = sys.argv[1] if len(sys.argv) > 1 else 'bench/target'
    os.makedirs(directory, exist_ok=True)
    for _ in range(2):
        for mode in ('appending', 'fallocate', 'pre-zeroed'):
            run(os.path.join(directory, 'fsync-cost.bin'), mode)

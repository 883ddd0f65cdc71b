#!/usr/bin/env python3
"""Per-thread CPU of one process, grouped by thread name (digits and '#'/'-' before them dropped,
so vert.x-eventloop-thread-0..N become one group). Used by bench/e2e-cpu.sh.

  thread-cpu.py snap PID OUT.json          record utime+stime of every thread now
  thread-cpu.py diff BEFORE.json AFTER.json READS   µs of CPU per read per group between the two
  thread-cpu.py line BEFORE.json AFTER.json READS   the same on one line (group=µs/read), for bench/mqtt-states.sh
"""
import json
import os
import re
import sys

HZ = os.sysconf('SC_CLK_TCK')


def snap(pid):
    out = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            stat = open(f'/proc/{pid}/task/{tid}/stat').read()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index('(') + 1:stat.rindex(')')]
        fields = stat[stat.rindex(')') + 2:].split()
        out[tid] = [name, (int(fields[11]) + int(fields[12])) / HZ]
    return out


def groups_of(before, after):
    groups = {}
    for tid, (name, cpu) in after.items():
        spent = cpu - before.get(tid, [name, 0.0])[1]
        group = re.sub(r'[#\-]?\d+', '', name).strip()
        groups[group] = groups.get(group, 0.0) + spent
    return groups


def diff(before, after, reads):
    groups = groups_of(before, after)
    total = sum(groups.values())
    for group, spent in sorted(groups.items(), key=lambda g: -g[1]):
        if spent > 0.005 * total:
            print(f'{group:30s} {spent:8.2f} s  {spent * 1e6 / reads:7.2f} us/read')
    print(f'{"all":30s} {total:8.2f} s  {total * 1e6 / reads:7.2f} us/read')


def line(before, after, reads):
    groups = groups_of(before, after)
    total = sum(groups.values())
    shown = [f'{g.replace(" ", "_")}={s * 1e6 / reads:.2f}' for g, s in sorted(groups.items(), key=lambda g: -g[1])
             if s > 0.02 * total]
    print(' '.join(shown + [f'all={total * 1e6 / reads:.2f}']))


if __name__ == '__main__':
    if sys.argv[1] == 'snap':
        json.dump(snap(sys.argv[2]), open(sys.argv[3], 'w'))
    elif sys.argv[1] == 'line':
        line(json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), float(sys.argv[4]))
    else:
        diff(json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), float(sys.argv[4]))

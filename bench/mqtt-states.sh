#!/usr/bin/env bash
# Does the gateway's MQTT QoS 1 rate still switch between "states" from one load to the next once
# the generator is warm (docs/benchmarks.md, Known gaps)? One gateway-only node (-Xmx256m, the memory
# target) from this checkout stays up for the whole script; each round runs the same MQTT load
# (50 connections, QoS 1, window 10, DURATION s after the generator's own 5 s warm-up) against it
# and against Mosquitto (loopback, started by `load --mosquitto`), the order swapped every other
# round so a machine drifting through the script does not favour one side.
#
#   mvn -o -q package -DskipTests && bench/mqtt-states.sh [rounds=6] [duration=25]
#
# Per load it prints one line: reads/s, ack p99, server and generator CPU per read (timed part), the
# machine's steal time over the whole load (a VM's hypervisor taking the CPUs), and
# for Platewarden also the spool's group commits over the whole load (records per fsync, fsyncs per
# 1 000 reads, mean fsync ms), the gateway's read/write system calls per 1 000 reads (/proc/<pid>/io:
# socket reads and writes, the spool's writes; fewer per read = more messages per call) and its CPU
# per read per thread group (bench/thread-cpu.py;
# warm-up and timed part together, per acknowledged read). A second state would show as a cluster
# of rates with its own CPU per read; the per-group figures say where the difference is spent.
# Ports 8080 and 1883 must be free.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS="${1:-6}"; DURATION="${2:-25}"
OUT="$(mktemp -d)"; DATA="$OUT/data"
J=(java -Xmx2g -cp "bench/target/platewarden-bench.jar:bench/target/lib/*" org.platewarden.bench.BenchMain)
PLATEWARDEN_JAVA_OPTS="-Xmx256m" ./platewarden run --demo --config bench/platewarden-bench.json \
    --roles gateway --data-dir "$DATA" > "$OUT/platewarden.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf 127.0.0.1:8080/health/live >/dev/null && break; sleep 1; done
PID=$(ss -ltnpH 'sport = :8080' | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1)
[[ -n $PID ]] || { tail -20 "$OUT/platewarden.log"; echo "Platewarden did not start" >&2; exit 1; }

field() { grep -m1 "\"$2\"" "$1" | sed -E 's/.*: *"?([^",]*)"?,?$/\1/'; }
spool() { curl -s 127.0.0.1:8080/metrics | awk -v m="platewarden_spool_$1" '$1 == m {print $2}'; }
acks() { [[ -f $1 ]] && wc -l < "$1" || echo 0; }
# read(2)/write(2)-family system calls the gateway made so far (all threads; /proc/<pid>/io)
syscalls() { awk '$1 == "syscr:" || $1 == "syscw:" {n += $2} END {print n}' "/proc/$PID/io"; }
# the machine's CPU ticks "total steal" so far (/proc/stat): the hypervisor's share during a load
cputicks() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9}' /proc/stat; }

load() { # side round
  local side="$1" round="$2" res="$OUT/$1-$2.json" ackf="$OUT/$1-$2.acks" extra=()
  [[ $side == mosquitto ]] && extra=(--mosquitto)
  if [[ $side == platewarden ]]; then
    python3 bench/thread-cpu.py snap "$PID" "$OUT/before.json"
    local r0 f0 s0 c0; r0=$(spool records_total); f0=$(spool fsyncs_total); s0=$(spool fsync_seconds_sum); c0=$(syscalls)
  fi
  local t0; t0=$(cputicks)
  "${J[@]}" load "${extra[@]}" --generator-warmup 5 --transport mqtt --connections 50 --qos 1 --window 10 \
      --duration "$DURATION" --ack-file "$ackf" $([[ $side == platewarden ]] && echo --sample-pid "$PID") \
      > "$res" 2>&1
  local line
  line=$(printf '%-11s round %d: %6s reads/s  p99 %6s ms  server %5s us/read  generator %5s us/read' "$side" "$round" \
      "$(field "$res" reads_per_s)" "$(field "$res" ack_p99_ms)" "$(field "$res" server_cpu_us_per_read)" \
      "$(field "$res" generator_cpu_us_per_read)")
  line+=$(echo "$t0 $(cputicks)" | awk '{printf "  steal %.1f %%", ($3 - $1 > 0) ? 100 * ($4 - $2) / ($3 - $1) : 0}')
  if [[ $side == platewarden ]]; then
    python3 bench/thread-cpu.py snap "$PID" "$OUT/after.json"
    local reads
    reads=$(acks "$ackf")  # the load writes a fresh ack file: its warm-up and timed reads
    line+=$(python3 -c "
r, f, s, c, n = $(spool records_total) - $r0, $(spool fsyncs_total) - $f0, $(spool fsync_seconds_sum) - $s0, $(syscalls) - $c0, max($reads, 1)
print(f'  | {r / max(f, 1):.1f} records/fsync, {f * 1000 / n:.1f} fsyncs/1000 reads, fsync {s * 1000 / max(f, 1):.2f} ms'
      f'  | {c * 1000 / n:.0f} read+write syscalls/1000 reads')")
    line+="  | threads: $(python3 bench/thread-cpu.py line "$OUT/before.json" "$OUT/after.json" "$reads")"
  fi
  echo "$line"
  rm -f "$ackf"  # ~45 MB a load; the no-loss proof is (a)'s job, not this script's
}

for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 == 1 )); then load platewarden "$round"; load mosquitto "$round"
  else load mosquitto "$round"; load platewarden "$round"; fi
done
echo "results and node log: $OUT"

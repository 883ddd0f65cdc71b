#!/usr/bin/env bash
# Where Platewarden's CPU goes end to end, per thread group: a fresh all-roles node (-Xmx512m, GC log)
# from this checkout, a warm-up of WARMUP reads, then RUNS runs of COUNT reads through
# `e2e --skip-ceiling` (HTTP in -> searchable), each with the node's CPU per read per thread group
# (bench/thread-cpu.py) and its GC pauses. Used in the thirteenth session (docs/benchmark-history.md).
#
#   mvn -o -q package -DskipTests && bench/e2e-cpu.sh [runs=2] [count=1000000] [warmup=500000]
#
# Ports 8080, 8081, 1883 and 9200 must be free (it starts the embedded Elasticsearch, as `run` does).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-2}"; COUNT="${2:-1000000}"; WARMUP="${3:-500000}"
OUT="$(mktemp -d)"; DATA="$OUT/data"; GC="$OUT/gc.log"
J=(java -Xmx2g -cp "bench/target/platewarden-bench.jar:bench/target/lib/*" org.platewarden.bench.BenchMain)
PLATEWARDEN_JAVA_OPTS="-Xmx512m -Xlog:gc:file=$GC" ./platewarden run --demo --config bench/platewarden-bench.json \
    --roles all --data-dir "$DATA" > "$OUT/platewarden.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -sf 127.0.0.1:8081/health/ready >/dev/null && break; sleep 1; done
PID=$(ss -ltnpH 'sport = :8080' | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1)
[[ -n $PID ]] || { tail -20 "$OUT/platewarden.log"; echo "Platewarden did not start" >&2; exit 1; }
rate() { grep -m1 '"e2e_reads_per_s"' "$1" | tr -dc '0-9'; }
"${J[@]}" e2e --count "$WARMUP" --days-ago $((RUNS + 1)) --skip-ceiling --work-dir "$OUT" > "$OUT/warmup.json" 2>&1
echo "warm-up: $WARMUP reads at $(rate "$OUT/warmup.json") reads/s"
for run in $(seq 1 "$RUNS"); do
  python3 bench/thread-cpu.py snap "$PID" "$OUT/before.json"
  pauses=$(grep -c Pause "$GC")
  "${J[@]}" e2e --count "$COUNT" --days-ago "$run" --skip-ceiling --work-dir "$OUT" > "$OUT/run$run.json" 2>&1
  python3 bench/thread-cpu.py snap "$PID" "$OUT/after.json"
  echo "run $run: $COUNT reads at $(rate "$OUT/run$run.json") reads/s, missing in Elasticsearch: $(grep -m1 '"acknowledged_missing_in_es"' "$OUT/run$run.json" | tr -dc '0-9'), GC pauses: $(( $(grep -c Pause "$GC") - pauses ))"
  python3 bench/thread-cpu.py diff "$OUT/before.json" "$OUT/after.json" "$COUNT"
done
echo "node log and GC log: $OUT"

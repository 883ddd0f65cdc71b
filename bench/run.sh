#!/usr/bin/env bash
# Platewarden benchmark runner (docs/benchmarks.md explains every figure).
#
#   bench/run.sh                      full run: scenarios a b c d + JMH (1M reads for b, 10M for c; ~155 min on 2 cores; b alone takes ~57 min, c ~60)
#   bench/run.sh --smoke              tiny sizes, 3–4 minutes after the build: proves the suite still works
#   bench/run.sh --scenarios a,jmh    a subset (a: accept rate, b: end to end, c: search, d: memory, jmh)
#   options: --size N (reads for c)  --queries N (timed queries per kind in c; 5000)  --e2e-size N (reads for b)  --e2e-pairs N (e2e + ceiling pairs per b row, median; 5)  --duration S (seconds per load in a/d)  --no-start (never start Platewarden)
#            --keep (leave the Platewarden this script started running; by default it is stopped at the end)
#   environment: GATEWAY_HEAP (-Xmx of the gateway-only node in a/d; 256m, the memory target), PLATEWARDEN_JAVA_OPTS (every node's JVM options, overrides it)
#
# It builds the reactor (offline, tests skipped), starts what it needs -- Mosquitto on a free loopback
# port for the side-by-side MQTT figure; `./platewarden run --roles gateway` for (a)/(d), then
# `./platewarden run` (all roles, same data dir) for the no-loss proof, then fresh data dirs for (b) and (c); demo cameras,
# embedded Elasticsearch on 9200 -- unless a Platewarden already answers on 8080 -- runs the scenarios, and
# writes bench/results/<timestamp>.json plus bench/results/<timestamp>.md (the Markdown table, also printed).
# Everything listens on and talks to 127.0.0.1 only; every load stops by itself (duration or count).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SMOKE=0; SCENARIOS="a,b,c,d,jmh"; SIZE=10000000; E2E_SIZE=1000000; E2E_PAIRS=5; QUERIES=5000; DURATION=30; START=1; STOP=1; SCENARIOS_SET=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --scenarios) SCENARIOS="$2"; SCENARIOS_SET=1; shift ;;
    --size) SIZE="$2"; shift ;;
    --e2e-size) E2E_SIZE="$2"; shift ;;
    --e2e-pairs) E2E_PAIRS="$2"; shift ;;
    --queries) QUERIES="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --no-start) START=0 ;;
    --keep) STOP=0 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
if [[ $SMOKE == 1 ]]; then
  SIZE=20000; E2E_SIZE=20000; E2E_PAIRS=1; DURATION=3
  # CI smoke: every scenario at tiny sizes against a Platewarden it starts (embedded Elasticsearch), so the
  # suite cannot rot; the figures it prints mean nothing
fi
has() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64; fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="$ROOT/bench/results"; mkdir -p "$RESULTS_DIR"
RESULTS="$RESULTS_DIR/$STAMP.json"
WORK="$ROOT/bench/target/work/$STAMP"; mkdir -p "$WORK"
ES_URL_BENCH="${ES_URL:-http://127.0.0.1:9200}"

# the smoke proves the suite against a Platewarden it starts itself, from this checkout: one that already
# answers (another checkout's, a benchmark running meanwhile) would be used as is and the smoke would
# prove nothing about this one, so it stops here instead (CI: a fresh machine has none)
if [[ $SMOKE == 1 ]] && curl -fsS -m 2 http://127.0.0.1:8080/health/live >/dev/null 2>&1; then
  echo "bench/run.sh --smoke: a Platewarden already answers on 8080 (pid $(ss -ltnpH 'sport = :8080' | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1)); the smoke starts its own: stop that one first" >&2
  exit 1
fi

echo "== building (mvn -o package -DskipTests) ..." >&2
mvn -B -q -o package -DskipTests -pl bench -am >&2
BENCH=("$JAVA" -Xmx2g -cp "$ROOT/bench/target/platewarden-bench.jar:$ROOT/bench/target/lib/*" org.platewarden.bench.BenchMain)

# ---- the machine, recorded with the results ----
"$JAVA" -version 2>"$WORK/java-version.txt" || true
python3 - "$RESULTS" "$SMOKE" "$WORK/java-version.txt" <<'PY'
import json, os, sys, platform
mem = next(l for l in open('/proc/meminfo') if l.startswith('MemTotal')).split()[1]
cpu = next((l.split(':',1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
row = {"kind": "machine", "cpus": os.cpu_count(), "cpu": cpu, "mem_gib": round(int(mem)/1048576, 1),
       "kernel": platform.release(), "java": open(sys.argv[3]).readline().strip(),
       "loadavg_at_start": open('/proc/loadavg').read().split()[0], "smoke": sys.argv[2] == "1"}
json.dump([row], open(sys.argv[1], 'w'), indent=2)
PY

PW_PID=""; PW_STARTED=0; PW_ROLES=""; PW_DATA=""
GATEWAY_HEAP="${GATEWAY_HEAP:-256m}"   # -Xmx of the gateway-only node in (a)/(d): the memory target
MAIN_DATA="$ROOT/bench/target/pw-data"
platewarden_up() { curl -fsS -m 2 http://127.0.0.1:8080/health/live >/dev/null 2>&1; }
# start_platewarden ROLES: "gateway" for (a)/(d) -- a gateway-only node starts no Elasticsearch at all, so
# none is in the path or eats the CPU the gateway needs -- or "all" for the proof, (b) and (c), which starts
# the embedded one on the same data dir. A Platewarden we did not start is used as is.
# A second argument names another data dir (b runs on a fresh one, see below).
start_platewarden() {
  local roles="$1" data="${2:-$MAIN_DATA}"
  if [[ $PW_STARTED == 1 && "$PW_ROLES" == "$roles" && "$PW_DATA" == "$data" ]]; then return 0; fi
  if [[ $PW_STARTED == 1 ]]; then stop_platewarden; fi
  if platewarden_up; then
    PW_PID="$(ss -ltnpH 'sport = :8080' | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1)"
    echo "== using the Platewarden already running (pid ${PW_PID:-?}, roles unknown)" >&2; return 0
  fi
  [[ $START == 1 ]] || return 1
  if ss -ltnH | grep -qE ':(8080|8081|1883|9200) '; then echo "ports 8080/8081/1883/9200 are taken by something else" >&2; return 1; fi
  local log="$WORK/platewarden-$roles$([[ "$data" != "$MAIN_DATA" ]] && echo -fresh || true).log"
  echo "== starting ./platewarden run --roles $roles --data-dir $data (log: $log) ..." >&2
  # exec: the background pid is Platewarden's JVM itself (the launcher execs java); same data dir each time,
  # so what the gateway-only node acknowledged is indexed once the indexer runs
  # the gateway-only node gets the heap the memory target allows (256 MiB), so (a) and (d) show the rate it
  # sustains within it; with the launcher's 512 MiB, G1 lets garbage fill whatever room it has, and "heap
  # used" then measures G1's laziness rather than the gateway's need (eleventh session, docs/benchmark-history.md)
  local heap="${PLATEWARDEN_JAVA_OPTS:-}"
  [[ $roles == gateway && -z $heap ]] && heap="-Xmx$GATEWAY_HEAP"
  ( if [[ -n $heap ]]; then export PLATEWARDEN_JAVA_OPTS="$heap"; fi
    exec ./platewarden run --demo --config "$ROOT/bench/platewarden-bench.json" --roles "$roles" --data-dir "$data" ) >"$log" 2>&1 &
  PW_PID=$!; PW_STARTED=1; PW_ROLES="$roles"; PW_DATA="$data"
  local ready=http://127.0.0.1:8080/health/live
  [[ $roles == all ]] && ready=http://127.0.0.1:8081/health/ready
  for _ in $(seq 1 600); do
    if curl -fsS -m 2 "$ready" >/dev/null 2>&1 && curl -fsS -m 2 http://127.0.0.1:8080/health/live >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$PW_PID" 2>/dev/null; then tail -30 "$log" >&2; echo "Platewarden exited" >&2; PW_PID=""; PW_STARTED=0; return 1; fi
    sleep 0.5
  done
  echo "Platewarden did not become ready in 300 s" >&2; return 1
}
stop_platewarden() {
  if [[ $PW_STARTED == 1 && -n "$PW_PID" ]]; then
    kill "$PW_PID" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$PW_PID" 2>/dev/null || break; sleep 0.5; done
    PW_STARTED=0; PW_PID=""; PW_ROLES=""; PW_DATA=""
  fi
}
final_stop() { if [[ $STOP == 1 ]]; then stop_platewarden; fi; }
trap final_stop EXIT

FAILED=0
step() { echo "== $*" >&2; }
run_or_fail() { "$@" || { echo "!! step failed (exit $?): $*" >&2; FAILED=1; }; }

# every timed load first runs the same load for GEN_WARMUP seconds, not counted: the generator is a fresh
# JVM per load, and its own JIT and connection set-up otherwise land on the first timed sends -- at (d)'s
# paced 10k reads/s they arrived 0.2-0.5 s late, which was all of (d)'s ~500 ms ack p99 (sixteenth session)
GEN_WARMUP=$([[ $SMOKE == 1 ]] && echo 1 || echo 5)

# ---- (a) durable accept rate: Mosquitto side (always runnable) ----
if has a; then
  step "a: Mosquitto, MQTT QoS 1, 50 connections, max rate, ${DURATION}s"
  run_or_fail "${BENCH[@]}" load --generator-warmup "$GEN_WARMUP" --transport mqtt --mosquitto --label "a: Mosquitto QoS1 50 conn" \
      --connections 50 --qos 1 --window 10 --duration "$DURATION" --ack-file "$WORK/a-mosquitto.acks" --results "$RESULTS"
  step "a: Mosquitto, same load with a subscriber proving every PUBACKed read was delivered"
  run_or_fail "${BENCH[@]}" load --generator-warmup "$GEN_WARMUP" --transport mqtt --mosquitto --verify-subscriber --label "a: Mosquitto QoS1 50 conn + subscriber" \
      --connections 50 --qos 1 --window 10 --duration "$DURATION" --rate "$([[ $SMOKE == 1 ]] && echo 2000 || echo 0)" \
      --ack-file "$WORK/a-mosquitto-sub.acks" --results "$RESULTS"
fi

PW_OK=0
if has a || has d; then
  if start_platewarden gateway; then PW_OK=1; else echo "!! Platewarden is not running; scenarios needing it are skipped" >&2; fi
fi
metrics() { echo --sample-pid "${PW_PID:-0}" --metrics-url http://127.0.0.1:8080/metrics; }

WARMUP=$([[ $SMOKE == 1 ]] && echo 2 || echo 20)
if [[ $PW_OK == 1 ]] && { has a || has d; }; then
  # the JVM compiles the ingest path during its first tens of seconds (C2); Mosquitto, in C, needs no
  # warm-up. Measuring a cold JVM would report the JIT, not the gateway: run both loads once, unrecorded
  # (their acknowledged reads are still part of the no-loss proof below)
  step "a: JIT warm-up (HTTP and MQTT, ${WARMUP}s each, not recorded)"
  run_or_fail "${BENCH[@]}" load --generator-warmup 0 --transport http --label "warm-up http" --connections 8 --batch 100 \
      --duration "$WARMUP" --ack-file "$WORK/warmup-http.acks"
  run_or_fail "${BENCH[@]}" load --generator-warmup 0 --transport mqtt --label "warm-up mqtt" --connections 50 --qos 1 --window 10 \
      --duration "$WARMUP" --ack-file "$WORK/warmup-mqtt.acks"
fi
if [[ $PW_OK == 1 ]] && has a; then
  step "a: Platewarden HTTP, batches of 100, 8 connections, max rate, ${DURATION}s (+ memory, d)"
  run_or_fail "${BENCH[@]}" load --generator-warmup "$GEN_WARMUP" --transport http --label "a: Platewarden HTTP batch 100" --connections 8 --batch 100 \
      --duration "$DURATION" --ack-file "$WORK/a-http.acks" --results "$RESULTS" $(metrics)
  step "a: Platewarden MQTT QoS 1, 50 connections, max rate, ${DURATION}s"
  run_or_fail "${BENCH[@]}" load --generator-warmup "$GEN_WARMUP" --transport mqtt --label "a: Platewarden MQTT QoS1 50 conn" --connections 50 --qos 1 --window 10 \
      --duration "$DURATION" --ack-file "$WORK/a-mqtt.acks" --results "$RESULTS" $(metrics)
fi
if [[ $PW_OK == 1 ]] && has d; then
  step "d: memory at a fixed rate (HTTP 10k reads/s target, ${DURATION}s)"
  run_or_fail "${BENCH[@]}" load --generator-warmup "$GEN_WARMUP" --transport http --label "d: memory at 10k reads/s" --connections 8 --batch 100 --rate 10000 \
      --duration "$DURATION" --ack-file "$WORK/d-http.acks" --results "$RESULTS" $(metrics)
fi
if has a; then
  if start_platewarden all; then
    step "a: every read acknowledged in (a) and (d) is in Elasticsearch once the indexer has drained the spool"
    ACKS=(); for f in "$WORK"/warmup-http.acks "$WORK"/warmup-mqtt.acks "$WORK"/a-http.acks "$WORK"/a-mqtt.acks "$WORK"/d-http.acks; do [[ -f $f ]] && ACKS+=(--ack-file "$f"); done
    [[ ${#ACKS[@]} -gt 0 ]] && run_or_fail "${BENCH[@]}" verify-es --es-url "$ES_URL_BENCH" --label "a/d: acknowledged reads in ES" \
        "${ACKS[@]}" --timeout 300 --max-wait 7200 --results "$RESULTS"   # waits while the indexer makes progress
  else
    FAILED=1; echo "!! Platewarden (all roles) is not running; the no-loss proof is skipped" >&2
  fi
fi
# b on a fresh node (data dir of its own, so its own embedded Elasticsearch): warm-up, then the timed run.
# An optional CPU placement pins Elasticsearch and Platewarden (with the generator) to disjoint CPUs.
run_b() {
  local placement="$1" e2e_data="$WORK/e2e-data" label es_cpus="" pw_cpus="" on_pw_cpus=()
  if [[ -n $placement ]]; then
    local n; n="$(nproc)"
    es_cpus="$(cpu_range $((n / 2)) $((n - 1)))"; pw_cpus="$(cpu_range 0 $((n / 2 - 1)))"
  fi
  if ! start_platewarden all "$e2e_data"; then FAILED=1; echo "!! Platewarden (all roles) is not running; b is skipped" >&2; return; fi
  label="b: HTTP in -> searchable"
  if [[ -n $placement ]]; then
    local es_pid; es_pid="$(ss -ltnpH 'sport = :9200' | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1)"
    # every existing thread (-a); threads started later inherit their creator's CPUs
    taskset -a -cp "$es_cpus" "$es_pid" >/dev/null && taskset -a -cp "$pw_cpus" "$PW_PID" >/dev/null \
      || { FAILED=1; echo "!! could not pin Elasticsearch (pid ${es_pid:-?}) / Platewarden (pid $PW_PID)" >&2; stop_platewarden; return; }
    on_pw_cpus=(taskset -c "$pw_cpus")
    label="b: HTTP in -> searchable, Elasticsearch on CPU $es_cpus of its own"
  fi
  # a fresh node's JIT compilers -- Platewarden's and Elasticsearch's -- would otherwise take their CPU out
  # of the timed run (after 200 000 reads Elasticsearch's C2 still took 15 us per read of the timed run,
  # ninth session; the ceiling, which runs last, never pays for it). The warm-up's reads
  # are captured $E2E_PAIRS days ago, a day none of the timed pairs uses (pair i captures i days ago), so
  # each timed run starts on an empty daily index, as the ceiling does on its scratch index (every create
  # looks its _id up in each segment of the index it goes to, and merges grow with the index)
  # as many reads as a timed run since the fourteenth session: after half as many, the first timed pair
  # was the slowest of its row in 5 of 6 rows (the JIT still took 3.4-3.7 CPU-s in the next million)
  step "b${placement:+ (Elasticsearch on CPU $es_cpus, Platewarden and generator on CPU $pw_cpus)}: warm-up, $E2E_SIZE reads end to end (not recorded)"
  run_or_fail "${on_pw_cpus[@]}" "${BENCH[@]}" e2e --es-url "$ES_URL_BENCH" --count "$E2E_SIZE" --days-ago "$E2E_PAIRS" --skip-ceiling --work-dir "$WORK"
  # $E2E_PAIRS pairs of (e2e run, ceiling run), the row's ratio is their median: one pair's ratio moves by
  # +-0.1 from run to run on this machine (tenth session, docs/benchmark-history.md); 5 pairs since the
  # fourteenth session (3 before: single pairs spread 0.77-1.10 and the median of 3 followed them);
  # every other pair times its ceiling first (A B B A, fifteenth session): both sides sped up by a third
  # through one row, and with the ceiling always second that drift favoured the ceiling
  step "b${placement:+ (placed)}: end to end, $E2E_SIZE reads, vs the raw Elasticsearch bulk ceiling, $E2E_PAIRS pair(s) (fresh node)"
  run_or_fail "${on_pw_cpus[@]}" "${BENCH[@]}" e2e --es-url "$ES_URL_BENCH" --count "$E2E_SIZE" --repeat "$E2E_PAIRS" --work-dir "$WORK" --results "$RESULTS" \
      --label "$label" ${placement:+--placement "elasticsearch: cpu $es_cpus; platewarden + generator + ceiling sender: cpu $pw_cpus"}
  if [[ "$PW_DATA" == "$e2e_data" ]]; then stop_platewarden; rm -rf "$e2e_data"; fi
}
cpu_range() { if [[ $1 == "$2" ]]; then echo "$1"; else echo "$1-$2"; fi; }
if has b; then
  # b on a node of its own with a fresh data dir (its own embedded Elasticsearch): the ceiling writes
  # into new, empty scratch indices, so the e2e run must too -- indexing into a daily index that
  # already holds millions of reads (left by a) costs Elasticsearch more (larger merges), which would
  # bias the ratio against Platewarden. A Platewarden we did not start is used as it is.
  run_b ""
  # b once more with Elasticsearch on CPUs of its own (half of them; 1 of 2 here), as where it runs on
  # nodes of its own (DESIGN.md's scale-out). On shared CPUs the ratio mostly measures how much CPU
  # Platewarden and the generator take away from Elasticsearch; placed, it measures whether the
  # pipeline keeps Elasticsearch as busy as the raw bulk ceiling does. Only for an Elasticsearch this
  # script starts (an ES_URL cluster is not ours to pin) on a machine with 2 CPUs or more.
  if [[ -n "${ES_URL:-}" ]] || platewarden_up || [[ $START == 0 ]]; then
    echo "== b (placed) skipped: it needs the embedded Elasticsearch of a Platewarden this script starts" >&2
  elif [[ "$(nproc)" -lt 2 ]] || ! command -v taskset >/dev/null; then
    echo "== b (placed) skipped: needs 2 CPUs or more and taskset (util-linux)" >&2
  else
    run_b placed
  fi
fi
if has c; then
  # c on a node of its own too: exactly $SIZE reads over 21 days, as the scenario is defined -- on the
  # main data dir, today's index would also hold the millions (a) acknowledged, and every search reads
  # today's index. The warm-up (untimed, other vehicles than the timed queries) brings the node to the
  # steady state of a node that has been answering searches; the first queries after a restart pay for
  # cold caches and JIT instead (docs/benchmarks.md). Before timing, the search command runs the
  # product's compaction pass (POST /v1/ops/compaction/run): a node that took these 21 days over 21
  # days would have merged every finished day's index by its schedule; --no-compact skips it.
  SEARCH_DATA="$WORK/search-data"
  if start_platewarden all "$SEARCH_DATA"; then
    step "c: search over $SIZE reads in 21 daily indices (fresh node)"
    run_or_fail "${BENCH[@]}" search --es-url "$ES_URL_BENCH" --size "$SIZE" --queries "$([[ $SMOKE == 1 ]] && echo 3 || echo "$QUERIES")" \
        --warmup "$([[ $SMOKE == 1 ]] && echo 1 || echo 40)" --work-dir "$WORK" --results "$RESULTS"
    if [[ "$PW_DATA" == "$SEARCH_DATA" ]]; then stop_platewarden; rm -rf "$SEARCH_DATA"; fi
  else
    FAILED=1; echo "!! Platewarden (all roles) is not running; c is skipped" >&2
  fi
fi
if has jmh; then
  step "jmh: hot paths"
  if [[ $SMOKE == 1 ]]; then JMH_OPTS=(-f 0 -wi 0 -i 1 -r 200ms -bm avgt -p batch=1); else JMH_OPTS=(-f 1 -wi 5 -w 2s -i 5 -r 2s); fi  # 10 s of warm-up: 2 s did not converge (docs/benchmarks.md)
  run_or_fail "$JAVA" -cp "$ROOT/bench/target/platewarden-bench.jar:$ROOT/bench/target/lib/*" -Djava.io.tmpdir="$WORK" \
      org.openjdk.jmh.Main "${JMH_OPTS[@]}" -rf json -rff "$RESULTS_DIR/$STAMP-jmh.json" 'org.platewarden.bench.jmh.*'
  python3 - "$RESULTS" "$RESULTS_DIR/$STAMP-jmh.json" <<'PY' || FAILED=1
import json, math, sys
def num(v):
    try:
        v = float(v)
        return None if math.isnan(v) else round(v, 3)
    except (TypeError, ValueError):
        return None
rows = json.load(open(sys.argv[1]))
for b in json.load(open(sys.argv[2])):
    m = b["primaryMetric"]
    rows.append({"kind": "jmh", "benchmark": b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1],
                 "params": ",".join(f"{k}={v}" for k, v in (b.get("params") or {}).items()), "mode": b["mode"],
                 "threads": b["threads"], "score": num(m["score"]), "error": num(m.get("scoreError")), "unit": m["scoreUnit"]})
json.dump(rows, open(sys.argv[1], "w"), indent=2)
PY
fi

"${BENCH[@]}" report "$RESULTS" | tee "$RESULTS_DIR/$STAMP.md"
echo "results: $RESULTS and $RESULTS_DIR/$STAMP.md" >&2
exit $FAILED

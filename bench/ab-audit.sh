#!/usr/bin/env bash
# A/B of one search.* setting on one loaded all-roles node: the same build restarted on the same
# data directory, alternately with the setting at value A and at value B, each side under its own
# node id and so its own audit journal and chain. Scenario (c)'s search timing on the same reads and
# queries; the sides take turns in the order A B B A ..., so a steady drift of the machine falls on
# both alike. By default the audit journal appended to (0) against preallocated (the default size);
# `audit_overlap_steps false true` compares a lone audit record journaled first with one indexed
# while it is journaled.
#
#   mvn -o -q package -DskipTests && bench/ab-audit.sh [rounds] [reads] [queries] [setting A B]
#   # defaults: 2, 2 000 000, 1 000, audit_journal_preallocate_bytes 0 4194304
#
# Prints per pass and query kind: p50, p99 and its 95 % interval, and the audit journal and index
# steps (mean, and mean over the slowest 5 % of searches). Ports 8080, 8081, 1883 and 9200 must be free.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS="${1:-2}"; READS="${2:-2000000}"; QUERIES="${3:-1000}"
SETTING="${4:-audit_journal_preallocate_bytes}"; VALUE_A="${5:-0}"; VALUE_B="${6:-4194304}"
J=(java -Xmx2g -cp "bench/target/platewarden-bench.jar:bench/target/lib/*" org.platewarden.bench.BenchMain)
OUT="$(mktemp -d)"; DATA="$OUT/data"
for side in a b; do
  value="$VALUE_A"; [[ $side == b ]] && value="$VALUE_B"
  python3 - "$OUT/$side.json" "$side" "$SETTING" "$value" <<'PY'
import json, sys
config = json.load(open("bench/platewarden-bench.json"))
config["node_id"] = "ab-audit-" + sys.argv[2]
config.setdefault("search", {})[sys.argv[3]] = json.loads(sys.argv[4])
json.dump(config, open(sys.argv[1], "w"))
PY
done
label() { if [[ $1 == a ]]; then echo "$SETTING=$VALUE_A"; else echo "$SETTING=$VALUE_B"; fi; }

start() {  # side, pass
  ./platewarden run --demo --config "$OUT/$1.json" --roles all --data-dir "$DATA" > "$OUT/node-$1-$2.log" 2>&1 &
  for _ in $(seq 1 300); do curl -sf 127.0.0.1:8081/health/ready >/dev/null && return 0; sleep 1; done
  echo "node ($1) not ready: $OUT/node-$1-$2.log" >&2; exit 1
}
stop() {
  local pid; pid=$(pgrep -f "java.*platewarden.*$DATA" | head -1)
  [[ -n $pid ]] && kill "$pid"
  for _ in $(seq 1 60); do pgrep -f "$DATA" >/dev/null || return 0; sleep 1; done
}
summary() {  # the search rows a pass printed
  python3 - "$1" "$2" <<'PY'
import json, sys
text, decoder, pos = open(sys.argv[1]).read(), json.JSONDecoder(), 0
while True:
    start = text.find("{", pos)
    if start < 0: break
    row, pos = decoder.raw_decode(text, start)
    if row.get("kind") != "search": continue
    print(f'{sys.argv[2]:<30} {row["query_kind"]:<16} p50 {row["pw_p50_ms"]:6.1f}  p99 {row["pw_p99_ms"]:6.1f} '
          f'[{row.get("pw_p99_lo_ms") or 0:6.1f} .. {row.get("pw_p99_hi_ms") or float("inf"):6.1f}] {row.get("pw_p99_vs_target", ""):<9} '
          f'journal mean {row.get("all_audit_journal_ms", 0):5.1f} tail {row.get("tail_audit_journal_ms", 0):5.1f}  '
          f'index mean {row.get("all_audit_index_ms", 0):5.1f} tail {row.get("tail_audit_index_ms", 0):5.1f}')
PY
}

echo "== loading $READS reads over 21 days and compacting (results and logs: $OUT)"
start a load
"${J[@]}" search --size "$READS" --queries 5 --warmup 1 --work-dir "$OUT/work" > "$OUT/load.json" 2> "$OUT/load.err" \
  || { echo "load failed: $OUT/load.err" >&2; stop; exit 1; }
grep -E "loaded|compaction" "$OUT/load.err"
stop
pass=0
for round in $(seq 1 "$ROUNDS"); do
  order="a b"; (( round % 2 == 0 )) && order="b a"
  for side in $order; do
    pass=$((pass + 1))
    start "$side" "$pass"
    "${J[@]}" search --size 0 --population $((READS / 20)) --queries "$QUERIES" --warmup 40 --work-dir "$OUT/work" \
        --results "$OUT/results.json" > "$OUT/$side-$pass.json" 2> "$OUT/$side-$pass.err" || echo "pass $pass failed: $OUT/$side-$pass.err" >&2
    summary "$OUT/$side-$pass.json" "pass $pass $(label "$side")"
    stop
  done
done
echo "logs and results: $OUT"

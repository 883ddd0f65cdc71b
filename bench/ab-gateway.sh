#!/usr/bin/env bash
# A/B of the accept path on one machine: a gateway-only node (-Xmx256m) built from each of two
# checkouts, alternately, under the same MQTT QoS 1 and HTTP loads from the same generator.
# Used in the twelfth session (docs/benchmark-history.md) to compare two code versions when the machine's
# speed drifts between full runs.
#
#   git clone /work/main /tmp/old && (cd /tmp/old && git checkout <rev> && mvn -o -q package -DskipTests)
#   git clone /work/main /tmp/new && (cd /tmp/new && mvn -o -q package -DskipTests)
#   bench/ab-gateway.sh /tmp/old /tmp/new [rounds]
#
# A/B of a setting on one build: give the same checkout twice and a config per side, e.g.
#   OLD_CONFIG=/tmp/no-prealloc.json bench/ab-gateway.sh /tmp/new /tmp/new 3
# (configs default to bench/platewarden-bench.json of each checkout). MOSQUITTO=1 adds a Mosquitto
# leg with the same MQTT load to every round, so each round has its own peer figure.
#
# Prints per round and checkout: reads/s and the gateway's CPU µs per read for MQTT (50 connections,
# window 10, 25 s after a 15 s warm-up) and HTTP (8 connections, batch 100, 20 s). Port 8080 and 1883
# must be free.
set -u
OLD="$1"; NEW="$2"; ROUNDS="${3:-2}"
OLD_CONFIG="${OLD_CONFIG:-bench/platewarden-bench.json}"; NEW_CONFIG="${NEW_CONFIG:-bench/platewarden-bench.json}"
J=(java -Xmx2g -cp "$NEW/bench/target/platewarden-bench.jar:$NEW/bench/target/lib/*" org.platewarden.bench.BenchMain)
OUT="$(mktemp -d)"
for round in $(seq 1 "$ROUNDS"); do
  for side in old new; do
    dir="$OLD"; config="$OLD_CONFIG"; [[ $side == new ]] && { dir="$NEW"; config="$NEW_CONFIG"; }
    data="$OUT/data-$side"
    (cd "$dir" && PLATEWARDEN_JAVA_OPTS="-Xmx256m" ./platewarden run --demo --config "$config" \
        --roles gateway --data-dir "$data" > "$OUT/$side-$round.log" 2>&1 &)
    for _ in $(seq 1 90); do curl -sf 127.0.0.1:8080/health/ready >/dev/null && break; sleep 1; done
    pid=$(pgrep -f "java.*$data" | head -1)
    "${J[@]}" load --generator-warmup 0 --transport mqtt --connections 50 --qos 1 --window 10 --duration 15 --ack-file "$OUT/warm.acks" >/dev/null 2>&1
    "${J[@]}" load --transport mqtt --connections 50 --qos 1 --window 10 --duration 25 --ack-file "$OUT/$side.acks" \
        --sample-pid "$pid" --metrics-url http://127.0.0.1:8080/metrics > "$OUT/$side-$round-mqtt.json" 2>&1
    "${J[@]}" load --transport http --connections 8 --batch 100 --duration 20 --ack-file "$OUT/$side.acks" \
        --sample-pid "$pid" --metrics-url http://127.0.0.1:8080/metrics > "$OUT/$side-$round-http.json" 2>&1
    pick() { grep -E '"reads_per_s"|"server_cpu_us_per_read"' "$1" | tr -d ' \n'; }
    spool=$(curl -s 127.0.0.1:8080/metrics | grep -E '^platewarden_spool_(fsyncs_total|fsync_seconds_sum|segments_started_total)' \
        | sed -E 's/^platewarden_spool_//; s/_total//; s/ ([0-9.E]+)$/=\1/' | tr '\n' ' ')
    echo "round $round $side: mqtt $(pick "$OUT/$side-$round-mqtt.json")  http $(pick "$OUT/$side-$round-http.json")  $spool"
    kill "$pid"; for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    rm -rf "$data"
  done
  if [[ "${MOSQUITTO:-0}" == 1 ]]; then
    "${J[@]}" load --transport mqtt --mosquitto --connections 50 --qos 1 --window 10 --duration 25 \
        --ack-file "$OUT/mosquitto.acks" > "$OUT/mosquitto-$round.json" 2>&1
    echo "round $round mosquitto: $(grep -E '"reads_per_s"' "$OUT/mosquitto-$round.json" | tr -d ' \n')"
  fi
done
echo "logs and results: $OUT"

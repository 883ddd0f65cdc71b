package org.platewarden.bench;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "load", description = "Sends reads over HTTP or MQTT, records every acknowledged read id, reports rate and ack latency.")
public final class LoadCommand implements Callable<Integer> {
    @Option(names = "--transport", required = true, description = "http or mqtt") String transport;
    @Option(names = "--label", defaultValue = "load") String label;
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", description = "default 8080 (http) / 1883 (mqtt)") Integer port;
    @Option(names = "--path", defaultValue = "/v1/reads") String path;
    @Option(names = "--connections", defaultValue = "10") int connections;
    @Option(names = "--batch", defaultValue = "1", description = "reads per request / per MQTT message (JSON array when > 1)") int batch;
    @Option(names = "--qos", defaultValue = "1") int qos;
    @Option(names = "--window", defaultValue = "10", description = "MQTT messages awaiting PUBACK per connection") int window;
    @Option(names = "--rate", defaultValue = "0", description = "target reads/s over all connections; 0 = as fast as acknowledged") double rate;
    @Option(names = "--duration", defaultValue = "10", description = "seconds; 0 = until --count") double duration;
    @Option(names = "--generator-warmup", defaultValue = "5", description = "seconds of the same load before the timed run, not "
            + "counted: this JVM's own JIT and connection set-up otherwise land on the first timed sends (at --rate 10000 they "
            + "arrived 0.2-0.5 s late); its acknowledged ids still go to --ack-file; 0 = none") double generatorWarmup;
    @Option(names = "--count", defaultValue = "0", description = "stop after this many reads; 0 = no limit") long count;
    @Option(names = "--ack-file", required = true) Path ackFile;
    @Option(names = "--results", description = "append the result to this JSON file") Path results;
    @Option(names = "--run-id", description = "unique per run; part of every read_id") String runId;
    @Option(names = "--population", defaultValue = "200000", description = "distinct vehicles") int population;
    @Option(names = "--spread-days", defaultValue = "1", description = "capture days (UTC) the reads spread over") int spreadDays;
    @Option(names = "--misread-rate", defaultValue = "0.03") double misreadRate;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--no-auth", description = "MQTT: connect without username/password (plain brokers)") boolean noAuth;
    @Option(names = "--mosquitto", description = "MQTT: start Mosquitto on a free loopback port for this run and target it") boolean mosquitto;
    @Option(names = "--mosquitto-binary", defaultValue = MosquittoProcess.DEFAULT_BINARY) String mosquittoBinary;
    @Option(names = "--verify-subscriber", description = "MQTT broker side: subscribe to every camera topic and check each acknowledged id was delivered") boolean verifySubscriber;
    @Option(names = "--sample-pid", defaultValue = "0", description = "sample VmRSS of this process during the run") long samplePid;
    @Option(names = "--metrics-url", description = "sample JVM heap from this Prometheus endpoint during the run") String metricsUrl;

    @Override
    public Integer call() throws Exception {
        if (runId == null) runId = Long.toString(System.currentTimeMillis(), 36);
        MosquittoProcess broker = mosquitto ? MosquittoProcess.start(mosquittoBinary, 0) : null;
        Vertx vertx = Vertx.vertx();
        MqttReceiver receiver = null;
        try {
            int targetPort = broker != null ? broker.port() : port != null ? port : transport.equals("http") ? 8080 : 1883;
            if (verifySubscriber) {
                receiver = new MqttReceiver(vertx, "bench-receiver-" + runId);
                receiver.start(host, targetPort).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            long pid = samplePid > 0 ? samplePid : broker != null ? broker.pid() : 0;
            LoadSpec spec = new LoadSpec(label, transport, host, targetPort, path, !noAuth && broker == null, connections, batch, qos,
                    window, rate, duration, count, ackFile, runId, population, spreadDays, 0, misreadRate, seed);
            Map<String, Object> result;
            try (AckLog ackLog = new AckLog(ackFile)) {
                if (generatorWarmup > 0) {
                    Map<String, Object> warm = LoadRunner.run(vertx, spec.warmUp(generatorWarmup), ackLog, started -> { });
                    System.err.printf("generator warm-up: %s reads acknowledged in %.0f s (not counted)%n", warm.get("acked_reads"),
                            generatorWarmup);
                }
                // the sampler starts after the warm-up: server and generator CPU per read cover the timed run only
                try (MemorySampler sampler = new MemorySampler(pid, metricsUrl)) {
                    result = LoadRunner.run(vertx, spec, ackLog, started -> { });
                    result.putAll(sampler.figures(((Number) result.get("acked_reads")).longValue()));
                }
            }
            result.put("generator_warmup_s", generatorWarmup);
            if (broker != null) result.put("server", "mosquitto " + broker.port());
            int exit = 0;
            if (receiver != null) {
                List<String> acked = AckLog.readAll(ackFile);
                long missing = receiver.awaitAll(acked, 60_000);
                result.put("delivered_missing", missing);
                if (missing > 0) exit = 2;
            }
            result.put("kind", "load");
            System.out.println(ResultsFile.toJson(result));
            if (results != null) ResultsFile.append(results, result);
            return ((Number) result.get("errors")).longValue() > 0 && exit == 0 ? 1 : exit;
        } finally {
            if (receiver != null) receiver.stop();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (broker != null) broker.close();
        }
    }
}

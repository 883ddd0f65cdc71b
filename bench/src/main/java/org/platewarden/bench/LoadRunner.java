package org.platewarden.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** Runs one load: connects every sender, starts the clock, waits for every loop to end by itself, merges the figures. */
public final class LoadRunner {

    private LoadRunner() {
    }

    public static Map<String, Object> run(Vertx vertx, LoadSpec spec) throws Exception {
        return run(vertx, spec, started -> { });
    }

    /** @param clockStarted told {@link System#nanoTime()} when the clock starts: after set-up and any body building */
    public static Map<String, Object> run(Vertx vertx, LoadSpec spec, LongConsumer clockStarted) throws Exception {
        try (AckLog ackLog = new AckLog(spec.ackFile())) {
            return run(vertx, spec, ackLog, clockStarted);
        }
    }

    /**
     * One run recording its acknowledged ids in {@code ackLog}, which the caller owns: a generator
     * warm-up and the timed run that follows it write one ack file between them (see {@link LoadCommand}).
     */
    public static Map<String, Object> run(Vertx vertx, LoadSpec spec, AckLog ackLog, LongConsumer clockStarted) throws Exception {
        PlatePopulation population = new PlatePopulation(spec.populationSize(), spec.seed());
        LoadControl control = new LoadControl(spec.durationSeconds(), spec.count(), spec.rate(), spec.batch());
        List<ConnectionStats> stats = new ArrayList<>();
        List<Future<Void>> dones = new ArrayList<>();
        List<Runnable> starters = new ArrayList<>();
        List<Future<String>> deployments = new ArrayList<>();
        for (int i = 0; i < spec.connections(); i++) {
            ConnectionStats s = new ConnectionStats();
            Promise<Void> done = Promise.promise();
            ReadFactory reads = new ReadFactory(population, DemoCameras.id(i), spec.runId(), i, spec.spreadDays(), spec.daysAgo(),
                    spec.misreadRate(), spec.seed() * 31 + i);
            if (spec.transport().equals("http")) {
                HttpSender sender = new HttpSender(spec.host(), spec.port(), spec.httpPath(), spec.batch(), control, reads, ackLog, s, done);
                if (spec.prebuilt()) {
                    // each connection's share, rounded up to whole batches, plus one: sends are claimed from
                    // one shared count, so a faster connection takes a little more than its share
                    long share = (spec.count() + spec.connections() - 1) / spec.connections();
                    sender.prebuild(((share + spec.batch() - 1) / spec.batch() + 1) * spec.batch());
                }
                starters.add(sender::begin);
                deployments.add(vertx.deployVerticle(sender, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP)));
            } else {
                MqttSender sender = new MqttSender(spec.host(), spec.port(), spec.authenticate(), "bench-" + spec.runId() + "-" + i,
                        spec.qos(), spec.batch(), spec.window(), control, reads, ackLog, s, done);
                starters.add(sender::begin);
                deployments.add(vertx.deployVerticle(sender));
            }
            stats.add(s);
            dones.add(done.future());
        }
        List<String> ids = Future.all(deployments).map(cf -> cf.<String>list())
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        control.begin();
        clockStarted.accept(System.nanoTime());
        starters.forEach(Runnable::run);
        long limitSeconds = spec.durationSeconds() > 0 ? (long) spec.durationSeconds() + 180 : 6 * 3600;
        Future.join(dones).toCompletionStage().toCompletableFuture().get(limitSeconds, TimeUnit.SECONDS);
        for (String id : ids) vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Map<String, Object> result = LoadResult.merge(spec.label(), spec.transport(), spec.settings(), stats);
        result.put("ack_file", spec.ackFile().toString());
        return result;
    }
}

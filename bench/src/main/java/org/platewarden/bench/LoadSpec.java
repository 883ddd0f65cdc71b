package org.platewarden.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one load run needs; transport is "http" or "mqtt". {@code prebuilt}: HTTP request
 * bodies for {@code count} reads are built before the clock starts (see {@link HttpSender#prebuild}).
 */
public record LoadSpec(String label, String transport, String host, int port, String httpPath, boolean authenticate,
                       int connections, int batch, int qos, int window, double rate, double durationSeconds, long count,
                       Path ackFile, String runId, int populationSize, int spreadDays, int daysAgo, double misreadRate, long seed,
                       boolean prebuilt) {

    public LoadSpec(String label, String transport, String host, int port, String httpPath, boolean authenticate,
                    int connections, int batch, int qos, int window, double rate, double durationSeconds, long count,
                    Path ackFile, String runId, int populationSize, int spreadDays, int daysAgo, double misreadRate, long seed) {
        this(label, transport, host, port, httpPath, authenticate, connections, batch, qos, window, rate, durationSeconds, count,
                ackFile, runId, populationSize, spreadDays, daysAgo, misreadRate, seed, false);
    }

    /**
     * The same load for {@code seconds}, as the generator's warm-up before this run: no read count
     * (the timed run's count is its own), and its own run id so no read id repeats in the ack file.
     */
    public LoadSpec warmUp(double seconds) {
        return new LoadSpec(label + " (generator warm-up)", transport, host, port, httpPath, authenticate, connections, batch, qos,
                window, rate, seconds, 0, ackFile, runId + "w", populationSize, spreadDays, daysAgo, misreadRate, seed, false);
    }

    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", host + ":" + port);
        m.put("connections", connections);
        m.put("batch", batch);
        if (transport.equals("mqtt")) {
            m.put("qos", qos);
            m.put("window", window);
        }
        m.put("target_rate", rate > 0 ? rate : "max");
        if (transport.equals("http")) m.put("request_bodies", prebuilt ? "built before the clock" : "built during the run");
        return m;
    }
}

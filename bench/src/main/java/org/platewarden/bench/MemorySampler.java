package org.platewarden.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Samples a server process once a second during a run: resident set size from
 * /proc/&lt;pid&gt;/status (VmRSS) and JVM heap in use from its Prometheus /metrics
 * (sum of jvm_memory_used_bytes{area="heap"}) and the heap's limit (sum of the pools' positive
 * jvm_memory_max_bytes{area="heap"}: what -Xmx allows, so a reader sees whether "heap used" was
 * bounded by need or by the limit). Runs on its own thread; keeps only maxima.
 * Also the CPU time the server and this generator used over the run: on a machine where both share
 * the cores, CPU per acknowledged read is the figure that does not depend on who got which core.
 */
public final class MemorySampler implements AutoCloseable {
    private final long pid;
    private final String metricsUrl;
    private final Thread thread;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean running = true;
    private volatile long maxRssKb;
    private volatile long maxHeapBytes;
    private volatile long heapLimitBytes;
    private volatile long samples;
    private final Duration serverCpuAtStart;
    private final Duration generatorCpuAtStart;

    public MemorySampler(long pid, String metricsUrl) {
        this.pid = pid;
        this.metricsUrl = metricsUrl;
        this.serverCpuAtStart = cpu(pid);
        this.generatorCpuAtStart = cpu(ProcessHandle.current().pid());
        this.thread = new Thread(this::loop, "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            if (pid > 0) maxRssKb = Math.max(maxRssKb, rssKb(pid));
            long heap = metricsUrl != null ? heapBytes() : 0;
            // no JVM metrics exported: ask the JVM itself, but only every 5 s (jcmd starts a JVM of its own)
            if (heap == 0 && metricsUrl != null && pid > 0 && samples % 5 == 0) heap = jcmdHeapBytes(pid);
            maxHeapBytes = Math.max(maxHeapBytes, heap);
            samples++;
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static long jcmdHeapBytes(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private long heapBytes() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long limit = heapMetric(r.body(), "jvm_memory_max_bytes{");
            if (limit > 0) heapLimitBytes = limit;
            return heapMetric(r.body(), "jvm_memory_used_bytes{");
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * The sum over the heap's pools of one Micrometer JVM memory gauge in a Prometheus scrape.
     * Pools without a limit report -1 for {@code jvm_memory_max_bytes} (G1's eden and survivors);
     * they are left out, so the sum is the old generation's limit, which is -Xmx under G1.
     */
    static long heapMetric(String scrape, String metricPrefix) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(metricPrefix) && line.contains("area=\"heap\"")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (v > 0) sum += v;
            }
        }
        return (long) sum;
    }

    /** CPU time (user + system) a process has used so far; zero when unknown. */
    static Duration cpu(long pid) {
        if (pid <= 0) return Duration.ZERO;
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /** @param ackedReads reads acknowledged during the run, for the per-read CPU figures (0: not given) */
    public Map<String, Object> figures(long ackedReads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memory_samples", samples);
        if (pid > 0) m.put("max_rss_mib", Math.round(maxRssKb / 1024.0));
        if (metricsUrl != null) m.put("max_heap_used_mib", Math.round(maxHeapBytes / 1048576.0));
        if (heapLimitBytes > 0) m.put("heap_limit_mib", Math.round(heapLimitBytes / 1048576.0));
        double serverCpu = cpu(pid).minus(serverCpuAtStart).toNanos() / 1e9;
        double generatorCpu = cpu(ProcessHandle.current().pid()).minus(generatorCpuAtStart).toNanos() / 1e9;
        if (pid > 0 && serverCpu > 0) {
            m.put("server_cpu_s", Math.round(serverCpu * 10) / 10.0);
            if (ackedReads > 0) m.put("server_cpu_us_per_read", Math.round(serverCpu * 1e7 / ackedReads) / 10.0);
        }
        m.put("generator_cpu_s", Math.round(generatorCpu * 10) / 10.0);
        if (ackedReads > 0) m.put("generator_cpu_us_per_read", Math.round(generatorCpu * 1e7 / ackedReads) / 10.0);
        return m;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

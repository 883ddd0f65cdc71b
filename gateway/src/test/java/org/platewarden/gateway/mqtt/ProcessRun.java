package org.platewarden.gateway.mqtt;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs an external client process, collecting its output lines (optionally reacting to each as it arrives). */
record ProcessRun(int exitCode, List<String> lines) {

    String output() {
        return String.join("\n", lines);
    }

    static ProcessRun run(List<String> command, Consumer<String> onLine) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (onLine != null) onLine.accept(line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(2000);
            throw new AssertionError("client did not finish within 30 s: " + command + "\n" + lines);
        }
        reader.join(5000);
        synchronized (lines) {
            return new ProcessRun(p.exitValue(), List.copyOf(lines));
        }
    }
}

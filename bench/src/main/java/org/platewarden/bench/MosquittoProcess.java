package org.platewarden.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Mosquitto broker on a loopback port with a throw-away config, for the side-by-side MQTT
 * figure and the smoke test. Anonymous access (the generator's credentials are ignored), no
 * persistence file (Mosquitto never fsyncs before PUBACK anyway), and queue limits raised so that
 * a slow subscriber does not make the broker drop QoS 1 messages during a short run.
 */
public final class MosquittoProcess implements AutoCloseable {
    public static final String DEFAULT_BINARY = "/usr/sbin/mosquitto";

    private final Process process;
    private final Path dir;
    private final int port;

    private MosquittoProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static boolean available(String binary) {
        return Files.isExecutable(Path.of(binary));
    }

    public static MosquittoProcess start(String binary, int port) throws IOException, InterruptedException {
        int actualPort = port > 0 ? port : freePort();
        Path dir = Files.createTempDirectory("pw-bench-mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + actualPort + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "max_queued_messages 10000000",
                "max_inflight_messages 1000",
                "message_size_limit 8388608",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                ""));
        Process p = new ProcessBuilder(binary, "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        MosquittoProcess broker = new MosquittoProcess(p, dir, actualPort);
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                broker.close();
                throw new IOException("mosquitto exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", actualPort), 200);
                return broker;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        broker.close();
        throw new IOException("mosquitto did not listen on port " + actualPort + " within 10 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}

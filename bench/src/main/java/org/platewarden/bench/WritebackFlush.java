package org.platewarden.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Writes the kernel's dirty page cache back to disk ({@code sync}) and waits for it. A benchmark
 * that has just written gigabytes (a bulk load, a force merge) otherwise times its next requests
 * against that writeback: an fsync waits behind it, and the flusher threads take CPU. Linux only:
 * elsewhere, or without a {@code sync} command, it does nothing and says so.
 */
final class WritebackFlush {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private WritebackFlush() {
    }

    /** @return the MiB that were dirty or under writeback before the flush; -1 if not known */
    static long flush() throws InterruptedException {
        long before = dirtyKib();
        long t0 = System.nanoTime();
        try {
            Process sync = new ProcessBuilder("sync").inheritIO().start();
            if (!sync.waitFor(10, TimeUnit.MINUTES)) {
                sync.destroyForcibly();
                System.err.println("sync did not finish in 10 minutes; timing anyway");
            }
        } catch (IOException e) {
            System.err.println("no sync command (" + e.getMessage() + "); timing without flushing the page cache");
            return before < 0 ? -1 : before / 1024;
        }
        long after = dirtyKib();
        System.err.printf("flushed %s of dirty page cache in %.1f s (%s left)%n",
                before < 0 ? "an unknown amount" : (before / 1024) + " MiB", (System.nanoTime() - t0) / 1e9,
                after < 0 ? "unknown" : (after / 1024) + " MiB");
        return before < 0 ? -1 : before / 1024;
    }

    /** Dirty + Writeback from /proc/meminfo, in KiB; -1 if it cannot be read. */
    static long dirtyKib() {
        try {
            return parse(Files.readAllLines(MEMINFO));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long parse(Iterable<String> meminfo) {
        long kib = 0;
        boolean seen = false;
        for (String line : meminfo) {
            if (line.startsWith("Dirty:") || line.startsWith("Writeback:")) {
                String[] parts = line.trim().split("\\s+");
                kib += Long.parseLong(parts[1]);
                seen = true;
            }
        }
        return seen ? kib : -1;
    }
}

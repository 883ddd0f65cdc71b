package org.platewarden.es;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The node's console output ({@code elasticsearch-console.log}), appended to by each start: nothing
 * else bounds it, and a start that keeps failing is tried every 30 s for as long as Platewarden runs.
 * Before each start a log over its limit is moved to {@code elasticsearch-console.log.1} (replacing
 * the one there), so there are at most two files, each at most the limit plus one start's output,
 * and the log being written always holds the current start's output, which the failure messages
 * quote.
 */
final class ConsoleLog {
    /**
     * A start writes ~15 KB to its console (a failed one with its stack traces a few tens of KB):
     * 16 MiB keeps the last several hundred starts, hours of failing ones at one every 30 s, the
     * first failure's cause often among them, while the two files together stay under ~32 MiB.
     */
    static final long DEFAULT_LIMIT_BYTES = 16L * 1024 * 1024;

    private final Path file;
    private final long limitBytes;

    ConsoleLog(Path file, long limitBytes) {
        if (limitBytes <= 0) throw new IllegalArgumentException("console log limit must be positive: " + limitBytes);
        this.file = file;
        this.limitBytes = limitBytes;
    }

    Path file() {
        return file;
    }

    /** Where the log goes once over its limit: the previous generation, replaced each time. */
    Path previous() {
        return file.resolveSibling(file.getFileName() + ".1");
    }

    /** Before a start: moves a log over its limit aside (a rename: no copy, no space needed). Returns whether it did. */
    boolean rotateIfOverLimit() throws IOException {
        if (!Files.exists(file) || Files.size(file) <= limitBytes) return false;
        Files.move(file, previous(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }
}

package org.platewarden.es;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The node's console output ({@code elasticsearch-console.log}), appended to by each start: nothing
 * else bounds it, and a start that keeps failing is tried every 30 s for as long as Platewarden runs.
 * Before each start a log over its limit is moved to {@code elasticsearch-console.log.1} (replacing
 * the one there), so there are at most two files, each at most the limit plus one start's output,
 * and the log being written always holds the current start's output, which the failure messages
 * quote. A node that runs writes its log lines there too (as into its own log files, which it
 * rotates itself): while it runs, a log over its limit is copied to {@code .1} and emptied in place
 * ({@link #copyAndEmptyIfOverLimit()}).
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

    /**
     * While the node runs: copies a log over its limit to {@code .1} and empties it. The node writes
     * through a descriptor opened for appending, so its next line goes to the emptied file's start
     * (a rename would leave it writing into {@code .1}). What it writes between the copy and the
     * emptying is lost here, not from its own log files. A copy that fails (the disk full) still
     * empties the log: the bound matters more than this copy of lines its own logs keep. Returns
     * whether it emptied it.
     */
    boolean copyAndEmptyIfOverLimit() throws IOException {
        if (!Files.exists(file) || Files.size(file) <= limitBytes) return false;
        IOException copyFailed = null;
        try {
            Files.deleteIfExists(previous()); // its space first: the disk may be nearly full
            Files.copy(file, previous());
        } catch (IOException e) {
            copyFailed = e;
        }
        try (FileChannel log = FileChannel.open(file, StandardOpenOption.WRITE)) {
            log.truncate(0);
        }
        if (copyFailed != null) throw new IOException("emptied " + file + " without a copy in " + previous() + ": " + copyFailed, copyFailed);
        return true;
    }
}

package org.platewarden.core.spool;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines of the spool's disk-full episodes, with hysteresis: a WARN when a write is first
 * refused for want of space, and the INFO "free again" only once the file system has room for the
 * refused write plus {@link #MARGIN_BYTES} more. A disk hovering at the threshold (writes refused
 * and accepted by turns as segments are deleted and filled) so gives one WARN, not a WARN and an
 * INFO for each turn. Only the lines: whether a write is refused is decided by the writer, exactly,
 * and readiness and {@code platewarden_spool_*} metrics follow that.
 * Used on the spool writer's thread only.
 */
final class DiskFullLog {
    private static final Logger LOG = LoggerFactory.getLogger(DiskFullLog.class);
    /** How much room above what the refused write needed ends an episode in the log. */
    static final long MARGIN_BYTES = 64L * 1024 * 1024;

    private final Path dir;
    /** A WARN was written and no INFO since: the episode is open in the log. */
    private boolean warned;
    /** What the write that opened the episode needed. */
    private long needed;

    DiskFullLog(Path dir) {
        this.dir = dir;
    }

    /** A write needing {@code needed} bytes of {@code usable} was refused. */
    void refused(long usable, long needed, long reserve) {
        if (warned) return;
        warned = true;
        this.needed = needed;
        LOG.warn("spool: {} bytes free on the file system of {}, a write needs {} (with {} kept free): appends are refused as full"
                + " until space is freed (this line is not repeated until {} MiB more than that has been free)",
                usable, dir, needed, reserve, MARGIN_BYTES >> 20);
    }

    /** The file system has {@code usable} bytes free and writes are accepted again. */
    void room(long usable) {
        if (!warned || usable < needed + MARGIN_BYTES) return;
        warned = false;
        LOG.info("spool: {} bytes free on the file system of {} again, {} MiB more than the refused write needed; appends are written",
                usable, dir, MARGIN_BYTES >> 20);
    }
}

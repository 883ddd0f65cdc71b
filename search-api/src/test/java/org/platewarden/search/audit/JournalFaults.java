package org.platewarden.search.audit;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.FailingFileChannel;

/**
 * Audit journals that fail as a disk does, for tests outside this package (the search API's
 * readiness): a journal whose file system turns read-only while a test says so, and the node's
 * audit log opened on it as configured.
 */
public final class JournalFaults {
    private JournalFaults() {
    }

    /**
     * The node's journal file ({@link AuditJournal#pathFor}) with the configured padding, whose every
     * write, truncation and fsync fails while {@code readOnly} says so — as on a file system remounted
     * read-only (EROFS): the append fails, and so does padding over it.
     */
    public static AuditJournal readOnlyWhile(PlatewardenConfig config, BooleanSupplier readOnly) {
        return failingWhile(AuditJournal.pathFor(config.dataPath(), config.nodeId()), config.search().auditJournalPreallocateBytes(), readOnly);
    }

    /** A journal whose writes, truncations and fsyncs fail whenever {@code failing} says so (asked once per operation). */
    public static AuditJournal failingWhile(Path file, int preallocation, BooleanSupplier failing) {
        return new AuditJournal(file, preallocation) {
            @Override
            protected FileChannel openChannel(Path path) throws IOException {
                return new FailingFileChannel(super.openChannel(path), failing, failing);
            }
        };
    }

    /** The node's audit log as configured ({@link ChainedAuditLog#open}), on {@code journal}. */
    public static Future<ChainedAuditLog> open(Vertx vertx, PlatewardenConfig config, RestClient rest, MeterRegistry registry,
                                               AuditJournal journal) {
        return ChainedAuditLog.open(vertx, config, rest, registry, journal);
    }
}

package org.platewarden.indexer;

import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.CompletableFuture;

/**
 * Records in the day registry ({@code <prefix>-days}) that a UTC day holds reads, so a daily index
 * deleted by mistake can be told from a day without reads. Idempotent: recording a day already
 * recorded succeeds and keeps the first {@code first_indexed_at}. Never blocks the caller.
 */
public interface DayRecorder {
    /** Does nothing: for indexers whose tests are not about the registry. */
    DayRecorder NONE = (day, firstIndexedAt) -> CompletableFuture.completedFuture(null);

    /** Completes once the day is recorded (now or before); fails when it could not be. */
    CompletableFuture<Void> record(LocalDate day, Instant firstIndexedAt);
}

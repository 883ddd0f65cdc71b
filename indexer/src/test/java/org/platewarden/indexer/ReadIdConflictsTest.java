package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What counts as the same read behind a 409 (the indexer's handling of it: IndexerRetryTest, IndexerIT). */
class ReadIdConflictsTest {
    private static final PendingRead READ = new PendingRead(1, "p-reads-2026.01.01", "42", "cam-001",
            Instant.parse("2026-01-01T10:00:00.250Z"), new byte[0], null, true, 0);

    @Test
    void theSameCameraAndCaptureInstantIsTheSameReadWhateverTheTextOfTheTime() {
        assertTrue(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z")));
        assertTrue(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T11:00:00.25+01:00")));
    }

    @Test
    void anotherCameraCaptureTimeOrAnUnreadableDocumentIsAnotherRead() {
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-002", "2026-01-01T10:00:00.250Z")));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.251Z")));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "yesterday")));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", null)));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead(null, "2026-01-01T10:00:00.250Z")));
    }
}

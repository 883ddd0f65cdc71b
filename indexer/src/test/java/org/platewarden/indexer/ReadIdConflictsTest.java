package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What counts as the same read behind a 409 (the indexer's handling of it: IndexerRetryTest, IndexerIT). */
class ReadIdConflictsTest {
    private static final Instant AT = Instant.parse("2026-01-01T10:00:00.250Z");
    private static final PendingRead READ = read(TestReads.bytes("42", "cam-001", "DPD", AT, "ABC 123"));
    private static final ReadPlate ABC123 = new ReadPlate("ABC 123", "ABC123");

    private static PendingRead read(byte[] json) {
        return new PendingRead(1, "p-reads-2026.01.01", "42", "cam-001", AT, json, null, true, 0);
    }

    @Test
    void theSameCameraCaptureInstantAndPlateIsTheSameReadWhateverTheTextOfTheTime() {
        assertTrue(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", ABC123)));
        assertTrue(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T11:00:00.25+01:00", ABC123)));
    }

    /**
     * Capture times are kept to the millisecond: a read stored with microseconds (by a gateway from before
     * that) is the same read as its resend, now cut to the millisecond, and the other way round.
     */
    @Test
    void theCaptureTimeIsComparedToTheMillisecond() {
        assertTrue(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.250999Z", ABC123)));
        PendingRead micro = new PendingRead(1, "p-reads-2026.01.01", "42", "cam-001", AT.plusNanos(999_000),
                TestReads.bytes("42", "cam-001", "DPD", AT.plusNanos(999_000), "ABC 123"), null, true, 0);
        assertTrue(ReadIdConflicts.sameRead(micro, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", ABC123)));
        assertFalse(ReadIdConflicts.sameRead(micro, new StoredRead("cam-001", "2026-01-01T10:00:00.249999Z", ABC123)));
    }

    @Test
    void theSamePlateIsTheSameNormalisedPlateOrTheSameTextAsSent() {
        assertTrue(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", new ReadPlate("ABC-123", "ABC123"))),
                "spaced otherwise");
        // indexed by a Platewarden that read "MÜ 123" as M123; retried now, it reads MU123
        PendingRead umlaut = read(TestReads.bytes("42", "cam-001", "DPD", AT, "M\u00dc 123"));
        assertTrue(ReadIdConflicts.sameRead(umlaut, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", new ReadPlate("M\u00dc 123", "M123"))));
    }

    @Test
    void anotherCameraCaptureTimePlateOrAnUnreadableDocumentIsAnotherRead() {
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-002", "2026-01-01T10:00:00.250Z", ABC123)));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.251Z", ABC123)));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", new ReadPlate("ABC 124", "ABC124"))));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "yesterday", ABC123)));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", null, ABC123)));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead(null, "2026-01-01T10:00:00.250Z", ABC123)));
        assertFalse(ReadIdConflicts.sameRead(READ, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", ReadPlate.NONE)), "no plate stored");
        PendingRead unreadable = read("{\"read_id\":".getBytes(StandardCharsets.UTF_8));
        assertFalse(ReadIdConflicts.sameRead(unreadable, new StoredRead("cam-001", "2026-01-01T10:00:00.250Z", ABC123)));
    }
}

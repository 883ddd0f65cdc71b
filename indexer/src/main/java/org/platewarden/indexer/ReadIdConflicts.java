package org.platewarden.indexer;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.platewarden.core.read.CaptureTime;
import org.platewarden.core.read.IsoInstant;

/**
 * Tells a resend from a read_id conflict. A create answered 409 only says that the daily index
 * already holds a document under the read's id, and that id is the read's {@code read_id}: sent by
 * the camera (scoped by the gateway to {@code <camera_id>:…}, so two cameras cannot share one), or
 * derived as {@code <camera_id>:<epoch ms>:<plate_norm>}. Two different reads of one camera can
 * still share it on one day (a counter reset by a reboot, firmware reusing ids), and counting every
 * 409 as "already indexed" dropped the second read silently after it had been acknowledged. The id
 * scheme stays (search relies on a daily read's {@code _id} being its {@code read_id}); instead,
 * after each round the
 * reads answered 409 are looked up in one request ({@link BulkTransport#stored}) and compared:
 * the same {@code camera_id}, the same {@code captured_at} millisecond and the same plate
 * ({@link ReadPlate#sameAs}) is this read sent again; anything else is another read, and this one
 * is dead-lettered with a reason naming both.
 *
 * <p>Why the plate too: a camera whose ids repeat can send another plate under an id with the same
 * capture time (two vehicles in one frame, a firmware that numbers per second), and that read was
 * acknowledged, then dropped as "already indexed". Why nothing else of the document: the gateway
 * adds fields that differ on an honest retry ({@code received_at}; {@code source}, when a camera
 * resends over HTTP what MQTT did not acknowledge; {@code agency}, from the registry), and the
 * fields it derives ({@code region}'s case, {@code plate_norm}) may be derived otherwise by the
 * Platewarden that indexed the first copy. What the camera itself observed (confidence, location,
 * vehicle) is the same on a retry, and the same plate by the same camera at the same instant is one
 * sighting whatever else differs.
 */
final class ReadIdConflicts {
    private final BulkTransport transport;

    ReadIdConflicts(BulkTransport transport) {
        this.transport = transport;
    }

    /** What is under the id of a read answered 409. */
    enum Duplicate {
        /** this read, sent again (after a lost answer, a restart, or twice in the spool): already indexed */
        SAME_READ,
        /** another read with the same read_id: this one cannot be indexed */
        OTHER_READ,
        /** nothing any more (see {@link Lookup#check}) */
        GONE,
        /** the lookup failed: nothing is decided */
        UNKNOWN
    }

    /**
     * Looks up what is stored under the ids of the reads {@code items} answers 409 (null items: the
     * request carrying them failed). One request for all of them; never completes exceptionally.
     */
    CompletableFuture<Lookup> lookUp(List<PendingRead> sending, List<BulkItemResult> items) {
        List<Integer> positions = new ArrayList<>();
        List<PendingRead> reads = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            BulkItemResult item = items.get(i);
            if (item != null && ItemVerdict.of(item) == ItemVerdict.ALREADY_INDEXED) {
                positions.add(i);
                reads.add(sending.get(i));
            }
        }
        if (reads.isEmpty()) return CompletableFuture.completedFuture(Lookup.NONE);
        CompletableFuture<List<StoredRead>> found;
        try {
            found = transport.stored(reads);
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        return found.handle((stored, error) -> {
            StoredRead[] byPosition = new StoredRead[sending.size()];
            if (error == null) {
                for (int k = 0; k < positions.size(); k++) byPosition[positions.get(k)] = stored.get(k);
            }
            return new Lookup(byPosition, reads.size(), error == null ? null : RequestFailures.unwrap(error));
        });
    }

    /**
     * What a round's lookup found, by the reads' positions in the round: {@code looked} reads were
     * looked up; {@code failure} is why the lookup failed, or null.
     */
    record Lookup(StoredRead[] stored, int looked, Throwable failure) {
        static final Lookup NONE = new Lookup(new StoredRead[0], 0, null);

        /** For the read at {@code position}, answered 409. */
        Duplicate check(int position, PendingRead read) {
            if (failure != null) return Duplicate.UNKNOWN;
            // Found nothing although the create just answered 409: the document (in practice its whole
            // day, by retention: reads are never deleted one by one) went away in between. Nothing
            // else holds the id now, so the caller sends the read again as a create, which either
            // indexes it or answers 409 again and is looked up again.
            StoredRead there = stored[position];
            if (there == null) return Duplicate.GONE;
            return sameRead(read, there) ? Duplicate.SAME_READ : Duplicate.OTHER_READ;
        }

        /** The dead-letter reason for the read at {@code position}, found to be {@link Duplicate#OTHER_READ}. */
        String conflict(int position, PendingRead read) {
            StoredRead there = stored[position];
            return "read_id_conflict: read_id '" + read.id() + "' is already used in " + read.index() + " by another read (camera "
                    + there.cameraId() + ", captured " + there.capturedAt() + ", " + there.plate().describe()
                    + "); this read (camera " + read.cameraId() + ", captured " + IsoInstant.format(read.capturedAt())
                    + ", " + ReadPlate.ofSpooled(read.json()).describe() + ") was not indexed";
        }
    }

    /**
     * The same camera, the same capture instant (the stored text is parsed: its form may differ
     * from the spooled one) and the same plate. The spooled read's plate is parsed only when the
     * rest matches.
     */
    static boolean sameRead(PendingRead read, StoredRead stored) {
        Instant there = instant(stored.capturedAt());
        // to the millisecond, the precision capture times are kept at (CaptureTime): a read stored with
        // microseconds before the gateway cut them is the same read as its resend cut to the millisecond
        return Objects.equals(read.cameraId(), stored.cameraId()) && there != null
                && CaptureTime.stored(read.capturedAt()).equals(CaptureTime.stored(there))
                && ReadPlate.ofSpooled(read.json()).sameAs(stored.plate());
    }

    private static Instant instant(String text) {
        if (text == null) return null;
        try {
            return IsoInstant.parse(text);
        } catch (DateTimeException e) {
            return null; // not a time this read could have: another read
        }
    }
}

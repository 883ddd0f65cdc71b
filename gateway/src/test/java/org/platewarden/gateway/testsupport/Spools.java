package org.platewarden.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.nio.file.Path;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.spool.SegmentedSpool;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolFullException;

/** The real spool for the tests, and a way to fill it. */
public final class Spools {
    private Spools() {
    }

    /** Small segments for small capacities, so freeing space (checkpoint) deletes whole segments. */
    public static Spool open(Path dir, long capacity) {
        long segment = capacity <= 64 * 1024 ? 4096 : 1024 * 1024;
        try {
            return SegmentedSpool.open(dir, new SpoolConfig(segment, capacity));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends incompressible JSON records, halving their size at each refusal, until even a tiny one
     * is refused as full (so no read can fit); returns the last durable seq.
     */
    public static long fill(Spool spool) throws InterruptedException {
        return fill(spool, 700, 1);
    }

    /**
     * The same, starting with appends of {@code perAppend} records of about {@code size} bytes: a
     * spool of some MiB fills in a few dozen appends instead of thousands.
     */
    public static long fill(Spool spool, int size, int perAppend) throws InterruptedException {
        Random random = new Random(42);
        while (true) {
            List<byte[]> records = new java.util.ArrayList<>();
            for (int i = 0; i < perAppend; i++) {
                byte[] noise = new byte[size];
                random.nextBytes(noise);
                records.add(("{\"filler\":\"" + Base64.getEncoder().encodeToString(noise) + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            try {
                spool.append(records).get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SpoolFullException)) throw new AssertionError("append failed", e.getCause());
                if (size == 1 && perAppend == 1) return spool.lastDurableSeq();
                if (perAppend > 1) {
                    perAppend /= 2;
                } else {
                    size = Math.max(1, size / 2);
                }
                continue;
            }
        }
    }
}

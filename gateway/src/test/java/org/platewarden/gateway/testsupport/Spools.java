package org.platewarden.gateway.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import org.platewarden.core.spool.Spool;

/** The spool used by the tests (one place to switch to SegmentedSpool). */
public final class Spools {
    private Spools() {
    }

    public static Spool open(Path dir, long capacity) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new TemporaryFileSpool(dir.resolve("spool.bin"), capacity);
    }
}

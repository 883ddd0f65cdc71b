package org.platewarden.indexer;

import java.nio.file.Path;
import org.platewarden.core.spool.Spool;

/** The one place tests open a spool. */
final class TestSpools {
    private TestSpools() {
    }

    static Spool open(Path dir) {
        return new InterimFileSpool(dir);
    }
}

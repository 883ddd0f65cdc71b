package org.platewarden.indexer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.io.ChannelOpener;
import org.platewarden.core.spool.SegmentedSpool;

/** The one place tests open a spool: the real segmented spool, with small segments so deletion behind the checkpoint happens. */
final class TestSpools {
    static final SpoolConfig SMALL_SEGMENTS = new SpoolConfig(64 * 1024, 256L * 1024 * 1024);

    private TestSpools() {
    }

    static SegmentedSpool open(Path dir) {
        return open(dir, ChannelOpener.DEFAULT);
    }

    /** With the files it writes (segments, {@code checkpoint.tmp}) opened through {@code opener}, to make writes fail. */
    static SegmentedSpool open(Path dir, ChannelOpener opener) {
        try {
            return SegmentedSpool.open(dir, SMALL_SEGMENTS, null, opener, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

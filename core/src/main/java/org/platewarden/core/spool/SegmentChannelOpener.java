package org.platewarden.core.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the channel the writer appends to. A seam for tests only: they inject a channel whose
 * write or force fails, to prove the spool stops (fail-stop) instead of acknowledging.
 */
@FunctionalInterface
interface SegmentChannelOpener {
    SegmentChannelOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}

package org.platewarden.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the channels a file writer writes through ({@link FileChannel#open} in production). A seam
 * for tests: they inject a channel whose write or force fails, as a dying or full disk's would, to
 * prove what the writer does then (the spool's fail-stop, a checkpoint write retried).
 */
@FunctionalInterface
public interface ChannelOpener {
    ChannelOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}

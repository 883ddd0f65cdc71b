package org.platewarden.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.platewarden.core.io.AtomicFile;
import org.platewarden.core.io.ChannelOpener;

/**
 * The persisted checkpoint: 16 bytes (magic, seq, CRC32C), replaced whole ({@link AtomicFile}), so a
 * crash leaves either the old or the new value, never a torn one. Only {@code checkpoint} is read:
 * a {@code checkpoint.tmp} (a write that failed, or one a crash cut off before its rename) never
 * counts, even when it holds a whole value, since its rename was never made durable.
 */
final class CheckpointFile {
    private static final int MAGIC = 0x5057434b; // "PWCK"
    private static final int SIZE = 16;

    private final Path file;
    private final ChannelOpener opener;

    CheckpointFile(Path spoolDir, ChannelOpener opener) {
        this.file = spoolDir.resolve("checkpoint");
        this.opener = opener;
    }

    /** The temporary file a failed or interrupted store left: deleted; its size, or -1 when there was none. */
    long deleteStaleTemp() throws IOException {
        return AtomicFile.deleteStaleTemp(file);
    }

    /** The persisted checkpoint; 0 when there is none. Throws when the file exists but is damaged. */
    long load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length != SIZE || b.getInt(0) != MAGIC || b.getInt(12) != crc(bytes)) {
            throw new IOException("damaged checkpoint file " + file);
        }
        return b.getLong(4);
    }

    void store(long seq) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putLong(seq);
        b.putInt(crc(b.array()));
        b.flip();
        AtomicFile.replace(file, b, opener);
    }

    private static int crc(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, 12);
        return (int) c.getValue();
    }
}

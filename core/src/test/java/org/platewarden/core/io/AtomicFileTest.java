package org.platewarden.core.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(UTF_8));
    }

    /** A full disk: the temporary file is created, then its write gets ENOSPC. */
    @Test
    void aFailedWriteLeavesTheOldContentsAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("checkpoint");
        AtomicFile.replace(file, text("old"));
        ChannelOpener full = (path, options) -> {
            FileChannel.open(path, options).close();
            throw new IOException("No space left on device");
        };
        IOException e = assertThrows(IOException.class, () -> AtomicFile.replace(file, text("new"), full));
        assertEquals("No space left on device", e.getMessage());
        assertEquals("old", Files.readString(file));
        assertFalse(Files.exists(dir.resolve("checkpoint.tmp")), "no empty checkpoint.tmp left behind");
        AtomicFile.replace(file, text("new"));
        assertEquals("new", Files.readString(file));
    }

    @Test
    void aStaleTemporaryFileIsReplacedOrDeleted() throws Exception {
        Path file = dir.resolve("checkpoint");
        Path tmp = dir.resolve("checkpoint.tmp");
        assertEquals(-1, AtomicFile.deleteStaleTemp(file));
        Files.write(tmp, new byte[0]);
        AtomicFile.replace(file, text("value"));
        assertEquals("value", Files.readString(file));
        assertFalse(Files.exists(tmp));

        Files.writeString(tmp, "half");
        assertEquals(4, AtomicFile.deleteStaleTemp(file));
        assertFalse(Files.exists(tmp));
        assertEquals("value", Files.readString(file), "the file itself is untouched");
    }
}

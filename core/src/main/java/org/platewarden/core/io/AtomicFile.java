package org.platewarden.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file whole: writes {@code <file>.tmp}, fsyncs it, renames it over the file and
 * fsyncs the directory, so a crash leaves the old contents or the new, never a torn mix, and the
 * rename survives a power loss.
 *
 * <p>Readers read {@code <file>} only: a {@code <file>.tmp} is never the file's contents, whatever
 * it holds. A replace that fails (a full disk: the temporary file is created but the write gets
 * ENOSPC) leaves the old file as it was and deletes its temporary file, so a failed write leaves no
 * empty file behind; one a crash left is truncated by the next replace, or removed by
 * {@link #deleteStaleTemp}.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    public static void replace(Path file, ByteBuffer contents) throws IOException {
        replace(file, contents, ChannelOpener.DEFAULT);
    }

    /** As {@link #replace(Path, ByteBuffer)}, the temporary file opened through {@code opener} (a seam for tests). */
    public static void replace(Path file, ByteBuffer contents, ChannelOpener opener) throws IOException {
        Path tmp = temp(file);
        try {
            try (FileChannel ch = opener.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (contents.hasRemaining()) ch.write(contents);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException left) {
                e.addSuppressed(left);
            }
            throw e;
        }
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * Deletes the {@code <file>.tmp} a replace left when it failed or was cut off by a crash; returns
     * its size, or -1 when there was none. Call before the file's first replace (at start-up).
     */
    public static long deleteStaleTemp(Path file) throws IOException {
        Path tmp = temp(file);
        long size;
        try {
            size = Files.size(tmp);
        } catch (java.nio.file.NoSuchFileException none) {
            return -1;
        }
        Files.deleteIfExists(tmp);
        return size;
    }

    private static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }
}

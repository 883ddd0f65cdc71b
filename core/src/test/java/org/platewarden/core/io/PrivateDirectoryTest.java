package org.platewarden.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDirectoryIsOwnerOnlyAndItsParentsAreLeftAsTheyAre() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = PrivateDirectory.create(tmp.resolve("data").resolve("audit"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));
    }

    @Test
    void anExistingOpenDirectoryIsClosed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("spool"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("segment"), "plates");
        PrivateDirectory.create(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("plates", Files.readString(dir.resolve("segment")), "contents untouched");
    }
}

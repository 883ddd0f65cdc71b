package org.platewarden.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockFileTest {
    @TempDir
    Path dir;

    @Test
    void oneOwnerAtATimeInThisJvmAndTheFileStays() throws Exception {
        Path file = dir.resolve("sub").resolve("x.lock");
        LockFile first = LockFile.tryAcquire(file);
        assertNotNull(first);
        assertNull(LockFile.tryAcquire(file), "held by the first owner");
        first.close();
        assertTrue(Files.exists(file));
        try (LockFile again = LockFile.tryAcquire(file)) {
            assertNotNull(again, "free once released");
        }
    }

    @Test
    void theDirectoryItMakesIsOwnerOnly() throws Exception {
        Path sub = dir.resolve("spool");
        try (LockFile lock = LockFile.tryAcquire(sub.resolve(".lock"))) {
            assertNotNull(lock);
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    }

    @Test
    void anotherProcessHoldingItIsRefusedAndItsDeathFreesIt() throws Exception {
        Path file = dir.resolve("x.lock");
        Process child = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), file.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            assertNull(LockFile.tryAcquire(file), "held by the other process");
        } finally {
            child.destroyForcibly(); // SIGKILL: the system releases the lock, nothing is left to clean up
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        try (LockFile after = LockFile.tryAcquire(file)) {
            assertNotNull(after, "released by the killed process");
        }
    }

    /** Holds the lock until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            LockFile lock = LockFile.tryAcquire(Path.of(args[0]));
            System.out.println(lock == null ? "refused" : "locked");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}

package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;

class StartupFailureTest {
    @TempDir
    Path dir;

    /** The probe's "--data-dir /proc/nope" stopped with "could not start: NoSuchFileException: /proc/nope" alone. */
    @Test
    void aDataDirThatCannotBeMadeIsNamedAsTheDataDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path under = file.resolve("data");
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + under + "\"}");
        IOException failure = assertThrows(IOException.class, () -> Files.createDirectories(under.resolve("spool")));

        assertEquals("cannot create or open " + under + " (FileSystemException: Not a directory); the data directory is " + under
                + " (--data-dir or data_dir): check that it, or its parent, exists and is writable",
                StartupFailure.describe(failure, config, 9200));
        // a file elsewhere (a TLS certificate) is named, without the data directory
        assertEquals("cannot create or open /etc/pw/cert.pem (NoSuchFileException)",
                StartupFailure.describe(new java.nio.file.NoSuchFileException("/etc/pw/cert.pem"), config, 9200));
    }
}

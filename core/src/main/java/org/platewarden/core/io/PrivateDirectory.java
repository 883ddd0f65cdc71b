package org.platewarden.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A directory only its owner may enter ({@code rwx------}), for everything under the data dir that
 * holds plates or the audit trail: spool, dead letters, quarantine, audit journal, run files. Files
 * are created with the process's umask (often world-readable); a private directory keeps other
 * local accounts from opening them whatever their mode. A directory found more open (made by an
 * older version, or by hand) is closed at start-up and logged. On a file system without POSIX
 * permissions nothing is changed.
 */
public final class PrivateDirectory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrivateDirectory.class);
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectory() {
    }

    /** Creates {@code dir} (and missing parents, with the default mode) and makes it owner-only; returns it. */
    public static Path create(Path dir) throws IOException {
        boolean existed = Files.isDirectory(dir);
        Files.createDirectories(dir);
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        if (view == null) return dir;
        Set<PosixFilePermission> current = view.readAttributes().permissions();
        if (!current.equals(OWNER_ONLY)) {
            view.setPermissions(OWNER_ONLY);
            if (existed && current.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                LOG.info("{} was open to other accounts ({}); it is now owner-only (rwx------): it holds plates or audit records",
                        dir, PosixFilePermissions.toString(current));
            }
        }
        return dir;
    }
}

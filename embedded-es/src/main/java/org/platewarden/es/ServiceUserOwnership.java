package org.platewarden.es;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * Gives the node's directory (distribution, data, logs) to the unprivileged user it runs as, at
 * every start, changing only what is not theirs yet: a {@code chown -R} at every start rewrote the
 * inode of every file of the node's data (its change time), every 30 s while starts keep failing.
 * Still done at every start, not once per run, so that what root put there meanwhile (a
 * distribution unpacked again, a directory recreated, data restored by an operator mending the
 * cause) is handed over before the node needs it. Symbolic links are changed themselves, never
 * what they point at.
 */
final class ServiceUserOwnership {
    private ServiceUserOwnership() {
    }

    /** Returns how many files and directories under (and including) {@code base} it changed. */
    static int handOver(Path base, String user) throws IOException {
        UserPrincipalLookupService lookup = base.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
        int[] changed = {0};
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (handOver(dir, owner, group)) changed[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (handOver(file, owner, group)) changed[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // gone meanwhile: nothing to hand over
                throw e;
            }
        });
        return changed[0];
    }

    private static boolean handOver(Path p, UserPrincipal owner, GroupPrincipal group) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        try {
            PosixFileAttributes attrs = view.readAttributes();
            boolean changed = false;
            if (!attrs.owner().equals(owner)) {
                view.setOwner(owner);
                changed = true;
            }
            if (!attrs.group().equals(group)) {
                view.setGroup(group);
                changed = true;
            }
            return changed;
        } catch (NoSuchFileException gone) {
            return false;
        }
    }
}

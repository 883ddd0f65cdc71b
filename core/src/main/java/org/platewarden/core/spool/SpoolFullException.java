package org.platewarden.core.spool;

/**
 * The spool is at capacity, or the disk it is on has too little free space: the caller must push
 * back (429/503, stop reading the socket).
 */
public final class SpoolFullException extends RuntimeException {
    private final boolean diskFull;

    public SpoolFullException(String message) {
        this(message, false);
    }

    /** @param diskFull refused for want of free space on the file system, not for the spool's capacity */
    public SpoolFullException(String message, boolean diskFull) {
        super(message, null, false, false);
        this.diskFull = diskFull;
    }

    /** Refused for want of free space on the file system ({@link Spool#diskFull}), not for the spool's capacity. */
    public boolean diskFull() {
        return diskFull;
    }
}

package org.platewarden.core.spool;

/** Waiting for the spool's own threads to finish at close, whatever interrupts the caller. */
final class Joins {
    private Joins() {
    }

    /**
     * Joins {@code thread} even if interrupted (closing must not leave a thread writing files it is
     * about to release). Returns whether the caller was interrupted: it restores the flag once its
     * own file operations are done, since an interrupted thread's channel operations fail.
     */
    static boolean joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}

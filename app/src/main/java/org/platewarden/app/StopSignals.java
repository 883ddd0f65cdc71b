package org.platewarden.app;

import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Which signal asked the process to stop, for the stop's first log line: a shutdown hook is not
 * told why the JVM exits. Each handler records its signal and hands it on to the JVM's own (which
 * runs the shutdown hooks), so a stop goes exactly as without it. Not installed for a signal the
 * JVM does not hand over ({@code -Xrs}) or that is ignored or left to the OS's default: then the
 * cause is said as not known.
 */
final class StopSignals {
    private static final AtomicReference<String> SEEN = new AtomicReference<>();

    private StopSignals() {
    }

    static void install() {
        for (String name : new String[]{"TERM", "INT"}) chain(name);
    }

    private static void chain(String name) {
        Signal signal = new Signal(name);
        AtomicReference<SignalHandler> jvms = new AtomicReference<>();
        SignalHandler previous;
        try {
            previous = Signal.handle(signal, s -> {
                SEEN.compareAndSet(null, "SIG" + name);
                SignalHandler jvm = jvms.get();
                if (jvm != null) jvm.handle(s);
                else System.exit(128 + s.getNumber()); // in the instant before it was known: as the JVM's would
            });
        } catch (IllegalArgumentException | UnsupportedOperationException notHandedOver) {
            return;
        }
        if (previous == SignalHandler.SIG_IGN || previous == SignalHandler.SIG_DFL) {
            // nothing of the JVM's to hand on to: leave the signal as it was
            Signal.handle(signal, previous);
            return;
        }
        jvms.set(previous);
    }

    /** Why the JVM stops, for the shutdown hook: the signal, when one was seen. */
    static String cause() {
        String seen = SEEN.get();
        return seen != null ? seen : "the JVM is exiting (no SIGTERM or SIGINT seen: an exit of the process, or another signal)";
    }
}

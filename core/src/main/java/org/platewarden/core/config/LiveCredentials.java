package org.platewarden.core.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The credentials in force on a node, replaced as a whole by a reload ({@link ConfigReload}). Readers
 * (camera and bearer-token authentication, agency scopes) call {@link #current()} once per decision and
 * keep to that snapshot: a request authenticated before a reload finishes with the credentials it was
 * authenticated with. One instance per node, shared by its roles.
 *
 * <p>Listeners learn of each change after it is in force (the MQTT listeners close the connections of
 * a removed or re-keyed camera); they run on the thread that made the change and must not block.
 */
public final class LiveCredentials {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LiveCredentials.class);
    private final AtomicReference<Credentials> current;
    private final List<Consumer<CredentialChanges>> listeners = new CopyOnWriteArrayList<>();

    public LiveCredentials(Credentials initial) {
        this.current = new AtomicReference<>(initial);
    }

    /** The credentials of {@code config}, never reloaded unless a reload is given this instance. */
    public static LiveCredentials of(PlatewardenConfig config) {
        return new LiveCredentials(Credentials.of(config));
    }

    public Credentials current() {
        return current.get();
    }

    /**
     * Puts {@code next} in force if {@code expected} still is, then tells the listeners what changed.
     *
     * @return false, changing nothing, when another change came first
     */
    boolean replace(Credentials expected, Credentials next, CredentialChanges changes) {
        if (!current.compareAndSet(expected, next)) return false;
        for (Consumer<CredentialChanges> listener : listeners) {
            try {
                listener.accept(changes);
            } catch (RuntimeException e) {
                // the change is in force: one listener's failure must not keep the others from it
                LOG.error("a listener of the credentials' change failed", e);
            }
        }
        return true;
    }

    /** {@code listener} learns of every later change; the returned handle stops that. */
    public AutoCloseable onChange(Consumer<CredentialChanges> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}

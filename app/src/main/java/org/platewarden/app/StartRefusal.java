package org.platewarden.app;

import java.io.IOException;

/**
 * A role refused to start for a reason its message says in full, with what to do: described as
 * it is, not as "ExceptionClass: message" ({@link StartupFailure}).
 */
class StartRefusal extends IOException {
    StartRefusal(String message) {
        super(message);
    }

    /** What 8081's public readiness may say of it; the whole message unless it names other hosts or paths. */
    String publicMessage() {
        return getMessage();
    }
}

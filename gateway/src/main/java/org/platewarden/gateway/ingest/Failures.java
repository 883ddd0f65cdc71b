package org.platewarden.gateway.ingest;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Exceptions from CompletableFuture chains arrive wrapped; the status mapping needs the cause. */
public final class Failures {
    private Failures() {
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t;
    }
}

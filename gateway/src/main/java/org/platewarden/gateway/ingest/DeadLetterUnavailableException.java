package org.platewarden.gateway.ingest;

/**
 * The dead-letter store could not make a rejection durable. The batch is not acknowledged:
 * a refused read must leave a trace before its sender is told anything.
 */
public final class DeadLetterUnavailableException extends RuntimeException {
    public DeadLetterUnavailableException(Throwable cause) {
        super("dead-letter store unavailable: " + cause.getMessage(), cause);
    }
}

package org.platewarden.gateway;

import io.vertx.core.Handler;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.log.FatalErrors;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's event loops' handler of exceptions no handler caught. Vert.x's MQTT server throws
 * one for every packet that arrives on a connection it has not accepted (yet, or any more): a
 * camera that pipelines PUBLISH behind CONNECT, or keeps sending after being disconnected. Logged
 * by Vert.x, each was an ERROR with a 40-line stack trace; one client pipelining 5 000 PUBLISHes
 * wrote 58 000 lines. They are counted and logged as one throttled line instead (the client got no
 * PUBACK for them and resends, QoS 1; QoS 0 is at most once by definition). An OutOfMemoryError
 * (a VirtualMachineError other than a stack overflow) is fatal: logged, and the node ends
 * ({@link FatalErrors}). Anything else is still an ERROR with its stack trace.
 */
final class StrayErrors implements Handler<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(StrayErrors.class);
    private static final String NOT_CONNECTED = "Received an MQTT packet from a not connected client";

    private final GatewayMetrics metrics;
    private final ThrottledWarning strayPackets = new ThrottledWarning(LOG::info, 10, TimeUnit.SECONDS, System::nanoTime);

    StrayErrors(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(Throwable error) {
        // an OutOfMemoryError thrown in a handler: Vert.x caught it, but the loop may be next; the node ends (FatalErrors)
        if (FatalErrors.report(error, "a gateway event loop (" + Thread.currentThread().getName() + ")")) return;
        if (error instanceof IllegalArgumentException && error.getMessage() != null && error.getMessage().startsWith(NOT_CONNECTED)) {
            metrics.mqttPacketOutsideConnection();
            strayPackets.warn("MQTT packets on a connection not accepted (yet, or any more) were discarded, unacknowledged");
            return;
        }
        LOG.error("unhandled exception on a gateway event loop", error);
    }
}

package org.platewarden.gateway.mqtt;

import io.netty.channel.Channel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;

/**
 * Tells whether an MQTT client has stopped reading what the gateway answers it (PINGRESP, PUBACK,
 * SUBACK): once its socket's buffers are full, every further answer waits in the gateway's heap.
 *
 * <p>Why: an authenticated client that sent PINGREQs (two bytes each) and never read the PINGRESPs
 * ran a 256 MiB node out of memory in 3.6 s (4.6 million PINGREQs): each answer waiting to be
 * written costs about a hundred bytes of heap, and nothing stopped reading such a client. A client
 * whose answers back up this far is not a working camera (a camera reads its acknowledgements to
 * free its in-flight window), so the session closes it; what it sent unacknowledged stays with it.
 *
 * <p>The measure is the connection's Netty channel: not writable once the kernel's send buffer (up
 * to {@code net.ipv4.tcp_wmem}'s maximum, 4 MiB by default, outside the heap) is full and Netty holds
 * 64 KiB more (its default high-water mark, some 600 answers with their overhead). Vert.x MQTT
 * 5.1.1's {@link MqttEndpoint} shows neither its socket nor its channel, so the socket is taken from
 * the endpoint's implementation (its field {@value #FIELD}, a {@link NetSocketInternal}); a Vert.x
 * upgrade that changes it fails every CONNECT loudly at {@link #of} rather than silently lifting the
 * bound.
 */
final class UnreadAnswers {
    private static final String FIELD = "conn";
    private final Channel channel;

    private UnreadAnswers(Channel channel) {
        this.channel = channel;
    }

    static UnreadAnswers of(MqttEndpoint endpoint) {
        try {
            Field conn = endpoint.getClass().getDeclaredField(FIELD);
            conn.setAccessible(true);
            return new UnreadAnswers(((NetSocketInternal) conn.get(endpoint)).channelHandlerContext().channel());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the socket of a Vert.x MQTT endpoint (" + endpoint.getClass().getName() + "." + FIELD
                    + ") cannot be reached: the bound on unread answers cannot be applied", e);
        }
    }

    /**
     * Whether the client's answers have backed up past the socket's send buffer and Netty's high-water
     * mark (the channel is not writable). Not Vert.x's {@code writeQueueFull}: that counts the answers
     * another thread handed over and the event loop has not yet written (the PUBACKs of one group
     * commit, {@link AckSender}), so it is full for a moment under a burst of a camera that reads all
     * of them.
     */
    boolean backedUp() {
        return !channel.isWritable();
    }
}

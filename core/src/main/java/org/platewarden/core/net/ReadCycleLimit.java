package org.platewarden.core.net;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Bounds what one read of an HTTP/1.1 connection takes in, and so what pipelined requests Vert.x
 * decodes and holds before it stops reading the connection.
 *
 * <p>Why: Vert.x 5.1 stops reading a connection (auto-read off) only at the end of a read cycle,
 * once 8 or more decoded messages wait; Netty's default cycle reads up to 16 times 64 KiB. A client
 * that pipelines tiny requests without reading the answers (40 bytes each, {@code GET
 * /health/live}, no credentials needed) had about 1 MiB decoded per cycle into some 20 000 request
 * objects of about 390 bytes each: 8 MB of heap per connection, 156 MB live for 20 connections of
 * one address, so a 256 MiB node ran out of memory from a few dozen connections, well within
 * {@code max_connections_per_address}. With one read of at most {@value #MAX_READ_BYTES} bytes per
 * cycle a connection holds at most that much decoded, about 400 such requests.
 *
 * <p>Vert.x has no public option for a connection's Netty read allocator, so the channel is reached
 * through {@link ConnectionBase} (an implementation class of Vert.x; a Vert.x upgrade that changes
 * it fails {@link #apply} loudly rather than silently lifting the bound). A request body still
 * flows at full speed: the event loop reads the next 16 KiB on its next turn.
 */
public final class ReadCycleLimit {
    /** the most one read of a connection takes in (Netty's adaptive allocator starts at 2 KiB and grows to it) */
    public static final int MAX_READ_BYTES = 16 * 1024;

    private ReadCycleLimit() {
    }

    /**
     * Applies the limit to {@code connection}; called from the server's connection handler, before
     * Netty's first read of it creates the read handle from the allocator.
     */
    public static void apply(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            throw new IllegalStateException("an HTTP connection that is no io.vertx.core.net.impl.ConnectionBase ("
                    + connection.getClass().getName() + "): the read cycle limit cannot be applied");
        }
        ChannelConfig config = base.channel().config();
        // one read per cycle: the read handle takes maxMessagesPerRead from its allocator at each cycle
        config.setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES).maxMessagesPerRead(1));
    }
}

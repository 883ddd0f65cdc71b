package org.platewarden.core.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.function.Supplier;

/**
 * Makes the Vertx a node serves from: Vert.x's NIO transport with the bounds of
 * {@link BoundedServerTransport} on every server connection, through Vert.x's public transport API
 * ({@code VertxBuilder.withTransport}). Tests that start servers make theirs here too, so they run what
 * production runs. As the transport is not Vert.x's own NIO class, {@code Vertx.isNativeTransportEnabled()}
 * answers true; nothing in Vert.x 5.1 or Platewarden acts on it but that method.
 */
public final class PlatewardenVertx {
    private PlatewardenVertx() {
    }

    /**
     * A Vertx with {@code options} and the bounded NIO transport (the options' transport preference is
     * not used); {@code platewarden_connections_closed_unread_answers_total} counts into {@code registry}.
     */
    public static Vertx create(VertxOptions options, MeterRegistry registry) {
        Counter closed = Counter.builder("platewarden.connections.closed.unread.answers")
                .description("server connections (HTTP and MQTT) closed because their client did not read what it was answered:"
                        + " it went on sending while they waited unwritten")
                .register(registry);
        return create(options, () -> new UnreadAnswersCap(UnreadAnswersCap.DEFAULT_MAX_BYTES_READ_WHILE_BACKED_UP, closed));
    }

    /** A Vertx with {@code options} whose server connections get, first in their pipeline, a handler from {@code caps}. */
    static Vertx create(VertxOptions options, Supplier<ChannelHandler> caps) {
        BoundedServerTransport spi = new BoundedServerTransport(Transport.NIO.implementation(), caps);
        return Vertx.builder().with(options).withTransport(new Transport() {
            @Override
            public String name() {
                return "nio-bounded";
            }

            @Override
            public boolean available() {
                return Transport.NIO.available();
            }

            @Override
            public Throwable unavailabilityCause() {
                return Transport.NIO.unavailabilityCause();
            }

            @Override
            public io.vertx.core.spi.transport.Transport implementation() {
                return spi;
            }
        }).build();
    }
}

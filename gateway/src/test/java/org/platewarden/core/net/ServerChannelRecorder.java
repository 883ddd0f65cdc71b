package org.platewarden.core.net;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Vertx made as a node makes it ({@link PlatewardenVertx}), whose server connections are recorded
 * in place of {@link UnreadAnswersCap}: what a test needs to see that Vert.x takes every server
 * connection through the bounded transport (here, as the gateway's tests can start an MQTT server).
 */
public final class ServerChannelRecorder {
    /** the accepted connections, each once its pipeline is set up */
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final ChannelHandler recorder = new Recorder();
    public final Vertx vertx = PlatewardenVertx.create(new VertxOptions(), () -> recorder);

    /** The next accepted server connection, or null when none comes within 10 s. */
    public Channel nextAccepted() throws InterruptedException {
        return accepted.poll(10, TimeUnit.SECONDS);
    }

    /** Whether nothing more was accepted in {@code ms}. */
    public boolean noMoreAccepted(long ms) throws InterruptedException {
        return accepted.poll(ms, TimeUnit.MILLISECONDS) == null;
    }

    /** Whether {@code channel} reads once per cycle, at most 16 KiB, and has the recorder first in its pipeline. */
    public boolean bounded(Channel channel) {
        RecvByteBufAllocator allocator = channel.config().getRecvByteBufAllocator();
        return allocator instanceof AdaptiveRecvByteBufAllocator adaptive
                && ((MaxMessagesRecvByteBufAllocator) adaptive).maxMessagesPerRead() == 1
                && channel.pipeline().first() == recorder;
    }

    @ChannelHandler.Sharable
    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.add(ctx.channel());
            ctx.fireChannelActive();
        }
    }
}

package org.platewarden.core.net;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.log.ThrottledWarning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a server connection whose client has stopped reading what it is answered but goes on
 * sending, before the answers it leaves unread fill the node's heap. One per accepted connection,
 * first in its pipeline ({@link CappedNioServerSocketChannel}): it sees the raw bytes of HTTP and
 * MQTT alike, before TLS.
 *
 * <p>Why: an MQTT client that sent PINGREQs (two bytes each) and never read the PINGRESPs ran a
 * 256 MiB node out of memory in 3.6 s, and one that never reads its PUBACKs does the same. Once the
 * kernel's send buffer (up to {@code net.ipv4.tcp_wmem}'s maximum, 4 MiB by default, outside the
 * heap) is full, Netty's outbound buffer fills to its high-water mark (64 KiB) and the channel is no
 * longer writable; from then on Vert.x 5 keeps every further answer in its own queue, in the heap,
 * out of Netty's sight (it writes to the channel only while it is writable). What Netty does see is
 * the client: every byte it sends while the channel is not writable is a request whose answer will
 * wait in that queue. So the signal is the bytes read since the channel was last seen writable when
 * a read arrived (that is, since Vert.x's queue was last empty — Vert.x drains it as soon as the
 * channel is writable again): past {@link #maxBytesReadWhileBackedUp} the connection is closed
 * (16 KiB: at most some 8 000 PINGRESPs, half a megabyte, wait for it). A client that reads a little
 * now and then does not reset it, as its channel is not writable again by the next read; one that
 * catches up does. A working camera never gets there: its in-flight window stops it long before 4 MiB
 * of PUBACKs wait for it. What a closed client sent unacknowledged stays with it.
 *
 * <p>Answers written straight into Netty (bypassing Vert.x's queue) are capped too: past
 * {@link #maxUnwrittenBytes} of Netty's own count of the channel's unwritten bytes (each message's
 * size plus about 100 bytes per entry; shown once the channel is not writable as
 * {@link Channel#bytesBeforeWritable()} plus the low-water mark).
 *
 * <p>Both checks cost one volatile read per read or write while the channel is writable, and allocate
 * nothing: the hot path of ingest is not slowed.
 */
final class UnreadAnswersCap extends ChannelDuplexHandler {
    /** what a client may send while its answers wait unwritten (Vert.x's queue not empty) */
    static final long DEFAULT_MAX_BYTES_READ_WHILE_BACKED_UP = 16 * 1024;
    /** Netty's count of a connection's unwritten bytes that closes it: four times the largest answer the node writes at once */
    static final long DEFAULT_MAX_UNWRITTEN_BYTES = 4L * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(UnreadAnswersCap.class);
    private static final ThrottledWarning WARNING = new ThrottledWarning(LOG::warn, 10, TimeUnit.SECONDS, System::nanoTime);

    private final long maxBytesReadWhileBackedUp;
    private final long maxUnwrittenBytes;
    private final Counter closed;
    /** bytes read since a read last found the channel writable */
    private long readWhileBackedUp;
    private boolean closing;

    UnreadAnswersCap(long maxBytesReadWhileBackedUp, long maxUnwrittenBytes, Counter closed) {
        this.maxBytesReadWhileBackedUp = maxBytesReadWhileBackedUp;
        this.maxUnwrittenBytes = maxUnwrittenBytes;
        this.closed = closed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ctx.channel().isWritable()) {
            readWhileBackedUp = 0;
        } else if (msg instanceof ByteBuf bytes) {
            readWhileBackedUp += bytes.readableBytes();
            if (readWhileBackedUp > maxBytesReadWhileBackedUp) {
                ReferenceCountUtil.release(msg);
                close(ctx, readWhileBackedUp + " bytes sent since its answers stopped being written");
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        Channel channel = ctx.channel();
        if (channel.isWritable()) return;
        long unwritten = channel.bytesBeforeWritable() + channel.config().getWriteBufferLowWaterMark();
        if (unwritten > maxUnwrittenBytes) close(ctx, unwritten + " bytes of answers unwritten");
    }

    private void close(ChannelHandlerContext ctx, String what) {
        if (closing) return;
        closing = true;
        closed.increment();
        WARNING.warn("the client at " + ctx.channel().remoteAddress() + " (connected to " + ctx.channel().localAddress()
                + ") does not read what the node answers it: " + what + "; closing its connection");
        ctx.close();
    }
}

package org.platewarden.core.net;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
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
 * <p>Not a cap on Netty's count of unwritten bytes: Vert.x keeps that near the high-water mark by
 * queueing, so it grows past it only by one large answer written at once, and such an answer is
 * legitimate (an audit CSV page of 1 000 records, each with up to 1 000 read ids, is tens of
 * megabytes), while its client, reading it, sends nothing meanwhile.
 *
 * <p>The check costs one volatile read per read while the channel is writable, and allocates
 * nothing: the hot path of ingest is not slowed. (Tracking each write's completion instead would
 * allocate a listener per answer, and would not see Vert.x's queue either.)
 */
final class UnreadAnswersCap extends ChannelInboundHandlerAdapter {
    /** what a client may send while its answers wait unwritten (Vert.x's queue not empty) */
    static final long DEFAULT_MAX_BYTES_READ_WHILE_BACKED_UP = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(UnreadAnswersCap.class);
    private static final ThrottledWarning WARNING = new ThrottledWarning(LOG::warn, 10, TimeUnit.SECONDS, System::nanoTime);

    private final long maxBytesReadWhileBackedUp;
    private final Counter closed;
    /** bytes read since a read last found the channel writable */
    private long readWhileBackedUp;
    private boolean closing;

    UnreadAnswersCap(long maxBytesReadWhileBackedUp, Counter closed) {
        this.maxBytesReadWhileBackedUp = maxBytesReadWhileBackedUp;
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
                close(ctx);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void close(ChannelHandlerContext ctx) {
        if (closing) return;
        closing = true;
        closed.increment();
        WARNING.warn("the client at " + ctx.channel().remoteAddress() + " (connected to " + ctx.channel().localAddress()
                + ") does not read what the node answers it: it sent " + readWhileBackedUp + " bytes while its answers waited unwritten;"
                + " closing its connection");
        ctx.close();
    }
}

package org.platewarden.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * What a client may send while its answers wait unwritten: 1 KiB here. A read that finds the
 * answers written out starts the count again; a client that stays behind does not.
 */
class UnreadAnswersCapTest {
    private final Counter closed = Counter.builder("closed").register(new SimpleMeterRegistry());
    private final EmbeddedChannel channel = new EmbeddedChannel(new UnreadAnswersCap(1024, closed));

    @Test
    void whatAClientSendsWhileItsAnswersWaitIsCappedAndItsConnectionClosed() {
        answersBackUp();
        assertTrue(passedOn(1024), "the first KiB is passed on");
        assertFalse(passedOn(1), "one byte more is not");
        assertFalse(channel.isOpen(), "and the connection is closed");
        assertEquals(1.0, closed.count());
    }

    @Test
    void whatAClientSendsWhileItsAnswersAreWrittenIsNotCounted() {
        for (int i = 0; i < 100; i++) assertTrue(passedOn(1024));
        answersBackUp();
        assertTrue(passedOn(1000));
        channel.flushOutbound(); // the client read its answers
        assertTrue(channel.isWritable());
        assertTrue(passedOn(1), "a read that finds the answers written starts the count again");
        answersBackUp();
        assertTrue(passedOn(1000));
        assertTrue(channel.isOpen());
        assertEquals(0.0, closed.count());
    }

    /** Answers the client does not read: more than the channel's high-water mark waits unwritten. */
    private void answersBackUp() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.write(bytes(64));
        assertFalse(channel.isWritable());
    }

    /** Whether {@code n} bytes the client sends are passed on to the connection's protocol. */
    private boolean passedOn(int n) {
        channel.writeInbound(bytes(n));
        ByteBuf passed = channel.readInbound();
        if (passed == null) return false;
        passed.release();
        return true;
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }
}

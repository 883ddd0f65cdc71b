package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MqttOversizeTest {

    @Test
    void theSizeIsTakenFromTheDecoderOfThisNettyVersion() {
        // the real decoder, so a change in Netty's wording shows here rather than as a reason without a size
        EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder(100));
        byte[] publish = RawMqtt.publishQos1("platewarden/reads/cam-001", 1, new byte[200]);
        channel.writeInbound(Unpooled.wrappedBuffer(publish));
        MqttMessage refused = channel.readInbound();
        Throwable cause = refused.decoderResult().cause();
        assertTrue(MqttOversize.is(cause), String.valueOf(cause));
        assertEquals(OptionalLong.of(2 + 25 + 2 + 200), MqttOversize.remainingLength(cause));
        assertEquals("too_large: MQTT packet of 229 bytes (remaining length) is above gateway.mqtt_max_message_bytes (100);"
                + " the decoder discarded it unread, so no payload is kept", MqttOversize.reason(cause, 100));
        channel.finishAndReleaseAll();
    }

    @Test
    void anUnexpectedMessageLeavesTheSizeOutAndNeverFails() {
        for (Throwable t : new Throwable[] {
                new TooLongFrameException("frame too long"),
                new TooLongFrameException((String) null),
                new TooLongFrameException("message length exceeds 100: 99999999999999999999999"),
                new DecoderException("payload too large"),
                new IllegalStateException("wrapped", new TooLongFrameException("exceeds limit: n/a"))}) {
            assertTrue(MqttOversize.is(t), t.toString());
            String reason = MqttOversize.reason(t, 4096);
            assertEquals("too_large: MQTT packet is above gateway.mqtt_max_message_bytes (4096); the decoder discarded it unread,"
                    + " so no payload is kept", reason, t.toString());
        }
        assertEquals(OptionalLong.of(5000), MqttOversize.remainingLength(
                new DecoderException(new TooLongFrameException("message length exceeds 4096: 5000"))));
        assertFalse(MqttOversize.is(new DecoderException("malformed")));
    }
}

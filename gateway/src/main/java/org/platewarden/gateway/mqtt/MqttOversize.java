package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.platewarden.core.read.Rejection;

/** Recognises the decoder's refusal of a packet above max message size, and says what it was. */
final class MqttOversize {
    /**
     * Netty's MqttDecoder (4.2) words it "message length exceeds LIMIT: REMAINING_LENGTH". Only a
     * message; so it is read defensively, and a different wording just leaves the size out.
     */
    private static final Pattern NETTY_MESSAGE = Pattern.compile("exceeds \\d+: (\\d{1,18})(?!\\d)");

    private MqttOversize() {
    }

    static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TooLongFrameException) return true;
            if (c instanceof DecoderException && String.valueOf(c.getMessage()).contains("too large")) return true;
        }
        return false;
    }

    /** The refused packet's remaining length (what the limit is compared with), when the decoder said it. */
    static OptionalLong remainingLength(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            Matcher m = NETTY_MESSAGE.matcher(String.valueOf(c.getMessage()));
            if (c instanceof TooLongFrameException && m.find()) return OptionalLong.of(Long.parseLong(m.group(1)));
        }
        return OptionalLong.empty();
    }

    /** The refusal as a dead letter's and a DISCONNECT's reason ({@code code: message}). */
    static String reason(Throwable t, int limit) {
        OptionalLong size = remainingLength(t);
        return Rejection.TOO_LARGE + ": MQTT packet " + (size.isPresent() ? "of " + size.getAsLong() + " bytes (remaining length) " : "")
                + "is above gateway.mqtt_max_message_bytes (" + limit + "); the decoder discarded it unread, so no payload is kept";
    }
}

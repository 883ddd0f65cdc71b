package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/** Recognises the decoder's refusal of a packet above max message size. */
final class MqttOversize {
    private MqttOversize() {
    }

    static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TooLongFrameException) return true;
            if (c instanceof DecoderException && String.valueOf(c.getMessage()).contains("too large")) return true;
        }
        return false;
    }
}

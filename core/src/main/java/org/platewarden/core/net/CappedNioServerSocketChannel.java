package org.platewarden.core.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.function.Supplier;

/**
 * Netty's NIO server channel, whose accepted connections get {@link UnreadAnswersCap} first in their
 * pipeline: the one place that sees every accepted connection of every server (HTTP and MQTT alike)
 * before Vert.x's own handlers are added, with public Netty and Vert.x API only.
 */
final class CappedNioServerSocketChannel extends NioServerSocketChannel {
    /** a new {@link UnreadAnswersCap} for each connection (it counts what that client sent) */
    private final Supplier<ChannelHandler> caps;

    CappedNioServerSocketChannel(Supplier<ChannelHandler> caps) {
        this.caps = caps;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        int first = buf.size();
        int accepted = super.doReadMessages(buf);
        for (int i = first; i < buf.size(); i++) {
            if (buf.get(i) instanceof Channel child) child.pipeline().addFirst("platewarden-unread-answers-cap", caps.get());
        }
        return accepted;
    }
}

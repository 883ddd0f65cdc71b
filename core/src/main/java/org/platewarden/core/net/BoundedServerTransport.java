package org.platewarden.core.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.spi.transport.Transport;
import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * Vert.x's NIO transport (every call delegated to it) with two bounds on what a server connection
 * makes the node hold, for every TCP server of the Vertx (HTTP and MQTT, which Vert.x builds on its
 * NetServer); client connections (to Elasticsearch) and domain sockets are NIO's, unchanged:
 * <ul>
 * <li>one read of at most {@value #MAX_READ_BYTES} bytes per read cycle. Why: Vert.x 5.1 stops
 * reading a connection (auto-read off) only at the end of a read cycle, once 8 or more decoded
 * messages wait, and Netty's default cycle reads up to 16 times 64 KiB. A client pipelining 40-byte
 * {@code GET /health/live} without reading the answers had some 20 000 requests (8 MB of heap)
 * decoded and held per connection, and a few dozen connections of one address ran a 256 MiB node
 * out of memory. With one read of at most 16 KiB a connection holds about 400 such requests; a body
 * still flows at full speed (the event loop reads the next 16 KiB on its next turn);</li>
 * <li>a cap on the answers waiting unwritten for a client that does not read them
 * ({@link UnreadAnswersCap}).</li>
 * </ul>
 */
final class BoundedServerTransport implements Transport {
    /** the most one read of a server connection takes in (Netty's adaptive allocator starts at 2 KiB and grows to it) */
    static final int MAX_READ_BYTES = 16 * 1024;

    private final Transport nio;
    /** a new {@link UnreadAnswersCap} for each accepted connection */
    private final Supplier<ChannelHandler> caps;

    BoundedServerTransport(Transport nio, Supplier<ChannelHandler> caps) {
        this.nio = nio;
        this.caps = caps;
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
        nio.configure(config, domainSocket, bootstrap);
        // after NIO's and Vert.x's own options (it sets a fixed allocator when a receive buffer size is configured):
        // one read per cycle, as the read handle takes maxMessagesPerRead from its allocator at each cycle
        bootstrap.childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES).maxMessagesPerRead(1));
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        if (domainSocket) return nio.serverChannelFactory(true);
        return () -> new CappedNioServerSocketChannel(caps);
    }

    @Override
    public boolean supportsDomainSockets() {
        return nio.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
        return nio.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
        return nio.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return nio.unavailabilityCause();
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        return nio.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
        return nio.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return nio.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
        return nio.eventLoopGroup(type, threads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return nio.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
        return nio.datagramChannelFactory();
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return nio.channelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        nio.configure(channel, options);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
        nio.configure(config, domainSocket, bootstrap);
    }
}

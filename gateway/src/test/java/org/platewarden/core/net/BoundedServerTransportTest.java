package org.platewarden.core.net;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Vert.x takes the connections of its HTTP and TCP servers (MQTT is built on the latter) through the
 * transport {@link PlatewardenVertx} gives it: each gets the bounded read cycle and the handler
 * first in its pipeline; its client connections do not. (In the gateway's tests, which can start an
 * MQTT server; the bounds themselves: HttpPipeliningTest, MqttUnreadAnswersTest.)
 */
class BoundedServerTransportTest {
    private final ServerChannelRecorder recorder = new ServerChannelRecorder();

    @AfterEach
    void close() {
        recorder.vertx.close().await();
    }

    @Test
    void anHttpServersConnectionsAreBounded() throws Exception {
        HttpServer server = recorder.vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1").await();
        try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
            assertNextAcceptedIsBounded();
        }
    }

    @Test
    void aTcpServersConnectionsAreBoundedAndClientConnectionsAreNot() throws Exception {
        NetServer server = recorder.vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1").await();
        recorder.vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await();
        assertNextAcceptedIsBounded();
        assertTrue(recorder.noMoreAccepted(500), "the client's side of the connection went through the server's handler");
    }

    @Test
    void anMqttServersConnectionsAreBounded() throws Exception {
        MqttServer server = MqttServer.create(recorder.vertx, new MqttServerOptions().setHost("127.0.0.1").setPort(0))
                .endpointHandler(endpoint -> endpoint.accept(false)).listen().await();
        try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
            assertNextAcceptedIsBounded();
        }
    }

    private void assertNextAcceptedIsBounded() throws InterruptedException {
        Channel accepted = recorder.nextAccepted();
        assertNotNull(accepted, "the connection was not accepted through the transport's server channel");
        assertTrue(recorder.bounded(accepted), "not bounded: " + accepted.config().getRecvByteBufAllocator() + ", " + accepted.pipeline().names());
    }
}

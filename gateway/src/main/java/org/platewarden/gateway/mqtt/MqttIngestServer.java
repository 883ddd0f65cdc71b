package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.platewarden.core.config.Camera;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import org.platewarden.core.config.GatewayConfig;
import org.platewarden.gateway.auth.BadCredentialsException;
import org.platewarden.gateway.auth.CameraAuthenticator;
import org.platewarden.gateway.ingest.Failures;
import org.platewarden.gateway.ingest.OverloadedException;
import org.platewarden.gateway.ingest.ReadIngestor;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT listener(s): plain on {@code mqtt_port}, TLS on {@code mqtt_tls_port} when configured
 * (server certificate only; client-certificate authentication is not offered). CONNECT is
 * authenticated with username = camera id and password = secret, verified off the event loop;
 * each accepted connection gets a {@link CameraSession} that handles its PUBLISHes.
 */
public final class MqttIngestServer {
    /** Unacknowledged PUBLISHes a connection may have; advertised as MQTT 5 Receive Maximum. */
    public static final int RECEIVE_MAXIMUM = 32;
    private static final Logger LOG = LoggerFactory.getLogger(MqttIngestServer.class);
    private static final java.util.concurrent.atomic.AtomicInteger SENDERS = new java.util.concurrent.atomic.AtomicInteger();

    private final Vertx vertx;
    private final GatewayConfig config;
    private final CameraAuthenticator authenticator;
    private final ReadIngestor ingestor;
    private final GatewayMetrics metrics;
    private MqttServer plain;
    private MqttServer tls;
    private AckSender ackSender;

    public MqttIngestServer(Vertx vertx, GatewayConfig config, CameraAuthenticator authenticator, ReadIngestor ingestor, GatewayMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.authenticator = authenticator;
        this.ingestor = ingestor;
        this.metrics = metrics;
    }

    public Future<Void> listen() {
        ackSender = new AckSender("platewarden-mqtt-acks-" + SENDERS.incrementAndGet());
        plain = create(baseOptions().setPort(config.mqttPort()));
        Future<MqttServer> started = plain.listen();
        if (config.mqttTlsPort() > 0) {
            MqttServerOptions tlsOptions = baseOptions().setPort(config.mqttTlsPort()).setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCertPath()).setKeyPath(config.tlsKeyPath()));
            if (config.tlsClientCaPath() != null) {
                // client-certificate authentication: the handshake itself refuses a camera without a
                // certificate signed by the configured CA
                tlsOptions.setClientAuth(ClientAuth.REQUIRED)
                        .setTrustOptions(new PemTrustOptions().addCertPath(config.tlsClientCaPath()));
            }
            tls = create(tlsOptions);
            started = started.compose(s -> tls.listen());
        }
        return started.mapEmpty();
    }

    public int actualPort() {
        return plain == null ? -1 : plain.actualPort();
    }

    public int actualTlsPort() {
        return tls == null ? -1 : tls.actualPort();
    }

    public Future<Void> close() {
        Future<Void> a = plain == null ? Future.succeededFuture() : plain.close();
        Future<Void> b = tls == null ? Future.succeededFuture() : tls.close();
        return Future.join(a, b).<Void>mapEmpty().andThen(ar -> {
            if (ackSender != null) ackSender.close();
        });
    }

    private MqttServerOptions baseOptions() {
        MqttServerOptions o = new MqttServerOptions();
        o.setHost(config.host());
        // the decoder refuses (and we close) anything bigger: memory per connection stays bounded
        o.setMaxMessageSize(config.mqttMaxMessageBytes());
        o.setTimeoutOnConnect(30);
        return o;
    }

    private MqttServer create(MqttServerOptions options) {
        MqttServer server = MqttServer.create(vertx, options);
        server.endpointHandler(this::connect);
        // errors before CONNECT completed (e.g. an oversize first packet, TLS handshake failures)
        server.exceptionHandler(t -> {
            if (MqttOversize.is(t)) metrics.mqttOversize();
            LOG.info("MQTT connection error before CONNECT: {}", t.toString());
        });
        return server;
    }

    private void connect(MqttEndpoint endpoint) {
        boolean v5 = endpoint.protocolVersion() == 5;
        String user = endpoint.auth() == null ? null : endpoint.auth().getUsername();
        String password = endpoint.auth() == null ? null : endpoint.auth().getPassword();
        String certificateCamera = ClientCertificates.cameraId(endpoint);
        // the endpoint buffers nothing until CONNACK; a client may not publish before it
        Future<Camera> authenticated = certificateCamera != null
                ? authenticator.byCertificate(certificateCamera, user)
                : authenticator.authenticate(user, password);
        authenticated
                .onSuccess(camera -> {
                    CameraSession session = new CameraSession(vertx, endpoint, camera, ingestor, metrics, ackSender.outbox());
                    session.start(v5 ? connackProperties() : null);
                })
                .onFailure(err -> {
                    Throwable t = Failures.unwrap(err);
                    MqttConnectReturnCode code;
                    if (t instanceof BadCredentialsException) {
                        metrics.authFailure("mqtt");
                        code = v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                                : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
                    } else if (t instanceof OverloadedException) {
                        metrics.overloaded("mqtt", "auth");
                        code = v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY
                                : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
                    } else {
                        LOG.warn("MQTT CONNECT of {} failed", user, t);
                        code = v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR
                                : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
                    }
                    endpoint.reject(code);
                });
    }

    private MqttProperties connackProperties() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), RECEIVE_MAXIMUM));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_QOS.value(), 1));
        return p;
    }
}

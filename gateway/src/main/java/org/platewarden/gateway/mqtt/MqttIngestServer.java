package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import org.platewarden.core.tls.LiveTls;
import io.vertx.core.net.PemTrustOptions;
import org.platewarden.core.config.Camera;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.GatewayConfig;
import org.platewarden.core.read.Rejection;
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
 * (with {@code tls_client_ca_path}, a client certificate signed by that CA is required there and
 * names the camera by its CN). CONNECT is otherwise authenticated with username = camera id and
 * password = secret, verified off the event loop;
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
    private OversizeRefusals oversize;
    private ConnectSize connectSize;
    private long refusalsFlush = -1;

    private final ClientSessions sessions;
    /** shared by every event loop's listener: the per-address cap is the MQTT ports' */
    private final MqttConnectionCap cap;
    /** shared by every event loop's listener: the bytes awaiting durability on all MQTT connections */
    private final MqttPendingBudget budget;
    private LiveTls certificates = LiveTls.NONE;

    public MqttIngestServer(Vertx vertx, GatewayConfig config, CameraAuthenticator authenticator, ReadIngestor ingestor, GatewayMetrics metrics,
                            ClientSessions sessions, MqttConnectionCap cap, MqttPendingBudget budget) {
        this.vertx = vertx;
        this.budget = budget;
        this.sessions = sessions;
        this.cap = cap;
        this.config = config;
        this.authenticator = authenticator;
        this.ingestor = ingestor;
        this.metrics = metrics;
    }

    /**
     * The node's TLS certificates, which a reload renews (default: the configured files, read once at
     * listen). Through {@link LiveTls}'s key manager: Vert.x MQTT 5.1.1's server has no {@code updateSSLOptions}.
     */
    public MqttIngestServer withTls(LiveTls certificates) {
        this.certificates = certificates;
        return this;
    }

    public Future<Void> listen() {
        List<String> refusals = new ArrayList<>(Rejection.CODES);
        refusals.remove(Rejection.VENDOR_FORMAT); // no vendor payloads over MQTT
        refusals.add(CameraSession.TOPIC_NOT_ALLOWED);
        metrics.rejectable(CameraSession.PROTOCOL, CameraSession.PROTOCOL, refusals);
        metrics.mqttDisconnectable(CameraSession.DISCONNECT_REASONS.stream().map(CameraSession::disconnectReason).toList());
        ackSender = new AckSender("platewarden-mqtt-acks-" + SENDERS.incrementAndGet());
        oversize = new OversizeRefusals(config.mqttMaxMessageBytes(), ingestor, metrics, sessions);
        connectSize = new ConnectSize(metrics.registry());
        refusalsFlush = vertx.setPeriodic(10_000, id -> {
            cap.flushRefusals(false);
            budget.flushRefusals(false);
        });
        plain = create(baseOptions().setPort(config.mqttPort()));
        Future<MqttServer> started = plain.listen();
        if (config.mqttTlsPort() > 0) {
            MqttServerOptions tlsOptions = baseOptions().setPort(config.mqttTlsPort()).setSsl(true)
                    .setKeyCertOptions(certificates.keyCertOptions(LiveTls.MQTT, config.tlsCertPath(), config.tlsKeyPath()));
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
        if (refusalsFlush >= 0) vertx.cancelTimer(refusalsFlush);
        cap.flushRefusals(true);
        budget.flushRefusals(true);
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
        // a deadline, not an idle timeout: Vert.x's IdleStateHandler for it sits behind the MQTT decoder,
        // so only a decoded packet would reset it, and the first decoded packet (the CONNECT) removes
        // it; bytes of a CONNECT still arriving reset nothing (docs/operations.md, What MQTT cannot cap)
        o.setTimeoutOnConnect(30);
        // a CONNECT without a client id reaches the session as one (CameraSession assigns MQTT 5 clients
        // an id and tells them, as MQTT 5 requires; Vert.x's own would be made up and never told)
        o.setAutoClientId(false);
        return o;
    }

    private MqttServer create(MqttServerOptions options) {
        MqttServer server = MqttServer.create(vertx, options);
        server.endpointHandler(this::connect);
        // Vert.x 5.1.1 calls this only for a CONNECT it refuses itself (an empty client id without
        // clean session). A packet it cannot decode before a CONNECT (an oversize first packet)
        // closes the connection with Vert.x's own ERROR log and never reaches the application; it
        // would not be dead-lettered anyway: nobody is authenticated yet (see PendingConnect for
        // the window between CONNECT and CONNACK)
        server.exceptionHandler(t -> LOG.info("MQTT CONNECT refused: {}", t.toString()));
        return server;
    }

    private void connect(MqttEndpoint endpoint) {
        // while PUBLISHes awaiting durability fill the budget, a new connection is refused before it
        // costs a PBKDF2 or sends a window of PUBLISHes that could only be read and refused
        if (budget.nearlyFull()) {
            budget.refuseConnect(endpoint);
            return;
        }
        // a CONNECT whose fields the endpoint would keep beyond a camera's needs is refused before it waits for a PBKDF2
        if (!connectSize.admit(endpoint)) return;
        // then: an address over the cap costs no PBKDF2
        MqttConnectionCap.Slot slot = cap.admit(endpoint);
        if (slot == null) return;
        boolean v5 = endpoint.protocolVersion() == 5;
        String user = endpoint.auth() == null ? null : endpoint.auth().getUsername();
        String password = endpoint.auth() == null ? null : endpoint.auth().getPassword();
        String certificateCamera = ClientCertificates.cameraId(endpoint);
        // MQTT lets a client PUBLISH right behind CONNECT, but Vert.x closes the connection on a
        // PUBLISH that arrives before accept(). A recently verified camera (or a certificate) is
        // answered at once, inside this handler, so its pipelined PUBLISH is taken; a first
        // verification runs PBKDF2 on a worker, and such a connection is closed unanswered (no
        // CONNACK, no PUBACK: the client still has the message and resends it)
        PendingConnect pending = PendingConnect.watch(endpoint, slot::release);
        Future<Camera> authenticated = certificateCamera != null
                ? authenticator.byCertificate(certificateCamera, user)
                : authenticator.authenticate(user, password);
        authenticated
                .onSuccess(camera -> {
                    if (pending.closed()) {
                        closedBeforeConnack(camera, pending.failure());
                        return;
                    }
                    // a reload removed or re-keyed the camera since its credentials were checked
                    if (!authenticator.stillAuthorized(camera)) {
                        metrics.authFailure("mqtt");
                        endpoint.reject(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                                : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                        return;
                    }
                    CameraSession session = new CameraSession(vertx, endpoint, camera, ingestor, metrics, ackSender.outbox(), oversize, sessions, budget,
                            authenticator::stillAuthorized);
                    session.start(v5 ? connackProperties() : null, slot::release);
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
                    if (pending.closed()) {
                        if (MqttOversize.is(pending.failure())) oversize.refusedUnauthenticated(pending.failure(), user);
                    } else {
                        endpoint.reject(code);
                    }
                });
    }

    /** Vert.x closed the connection while its credentials were being verified; they were valid. */
    private void closedBeforeConnack(Camera camera, Throwable failure) {
        if (MqttOversize.is(failure)) {
            oversize.refused(failure, camera.id());
        } else {
            LOG.info("MQTT connection of camera {} closed before CONNACK ({}); a PUBLISH sent before CONNACK closes a connection "
                    + "whose credentials are not cached yet", camera.id(), failure == null ? "no error reported" : failure.toString());
        }
    }

    private MqttProperties connackProperties() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), RECEIVE_MAXIMUM));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_QOS.value(), 1));
        // a compliant client then refuses an oversize PUBLISH itself instead of sending it and being
        // disconnected; the decoder's refusal (and its dead letter) stays for the clients that do not
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value(),
                MaximumPacketSize.of(config.mqttMaxMessageBytes())));
        return p;
    }
}

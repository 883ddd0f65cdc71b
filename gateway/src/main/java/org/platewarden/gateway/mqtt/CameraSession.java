package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.core.config.Camera;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.read.Rejection;
import org.platewarden.core.spool.AppendTooLargeException;
import org.platewarden.core.spool.SpoolFailedException;
import org.platewarden.core.spool.SpoolFullException;
import org.platewarden.gateway.ingest.DeadLetterUnavailableException;
import org.platewarden.gateway.ingest.Failures;
import org.platewarden.gateway.ingest.IngestItem;
import org.platewarden.gateway.ingest.JsonReadItems;
import org.platewarden.gateway.ingest.PreparedBatch;
import org.platewarden.gateway.ingest.ReadIngestor;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated MQTT connection. Each PUBLISH is processed as soon as it arrives (so appends
 * from many messages share a group commit), but its PUBACK is chained behind the previous one:
 * PUBACKs leave in PUBLISH order, and each only after its reads are fsynced in the spool and its
 * refusals in the dead-letter store. The PUBACKs (and a DISCONNECT) are handed to the connection's
 * {@link AckSender.Outbox}, which writes them in that order from its own thread so that the ones one
 * group commit made ready share a socket flush.
 *
 * <p>Back-pressure: Vert.x 5.1.1 offers no supported way to pause an MqttEndpoint's socket, so flow
 * control is the protocol's own: a PUBLISH whose append meets a full spool is neither acknowledged
 * nor dropped; the append is retried (backing off) until the spool drains. The client's in-flight
 * window (MQTT 5 Receive Maximum = {@link MqttIngestServer#RECEIVE_MAXIMUM}, advertised in CONNACK;
 * the client's own max-inflight setting under 3.1.1) then stops it sending. Memory is bounded
 * regardless of what the clients honour. A PUBLISH is taken in only if, with it, its connection has
 * at most {@link #MAX_PENDING_MESSAGES} PUBLISHes and {@link #MAX_PENDING_BYTES} of payload awaiting
 * durability (QoS 0 included), and all connections together at most
 * {@code gateway.mqtt_max_pending_bytes_total} ({@link MqttPendingBudget}); otherwise it is not held
 * and the connection is closed (MQTT 5: DISCONNECT QUOTA_EXCEEDED). Unacknowledged QoS 1 messages
 * stay with the client, which resends them. Every path that settles a PUBLISH (PUBACK decided,
 * refusal, failure, the connection closing) gives its share of the budget back: a retry waiting
 * behind a full spool is woken as soon as its connection closes, not at its next timer.
 *
 * <p>What a waiting PUBLISH holds: its reads as validated and encoded for the spool (plus the dead
 * letters of refused ones), not the packet: the payload buffer is let go once the reads are parsed,
 * so the acknowledgement keeps only the packet id and QoS.
 */
final class CameraSession {
    static final String STAGE = "gateway-mqtt";
    static final String PROTOCOL = "mqtt";
    static final String TOPIC_PREFIX = "platewarden/reads/";
    static final String TOPIC_NOT_ALLOWED = "topic_not_allowed";
    static final int MAX_PENDING_MESSAGES = 1024;
    /**
     * Every reason code a session is closed with, as {@code platewarden_gateway_mqtt_disconnects_total}'s
     * {@code reason} ({@link #disconnectReason}): registered at 0 when the listener starts, so an alert on
     * one's increase sees the first. A code added to {@link #closing}'s callers belongs here.
     */
    static final List<MqttDisconnectReasonCode> DISCONNECT_REASONS = List.of(MqttDisconnectReasonCode.SESSION_TAKEN_OVER,
            MqttDisconnectReasonCode.NOT_AUTHORIZED, MqttDisconnectReasonCode.ADMINISTRATIVE_ACTION, MqttDisconnectReasonCode.QOS_NOT_SUPPORTED,
            MqttDisconnectReasonCode.TOPIC_ALIAS_INVALID, MqttDisconnectReasonCode.QUOTA_EXCEEDED,
            MqttDisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, MqttDisconnectReasonCode.SERVER_BUSY, MqttDisconnectReasonCode.PACKET_TOO_LARGE,
            MqttDisconnectReasonCode.UNSPECIFIED_ERROR, MqttDisconnectReasonCode.PROTOCOL_ERROR);
    private static final int TOPIC_ALIAS = MqttProperties.MqttPropertyType.TOPIC_ALIAS.value();
    static final long MAX_PENDING_BYTES = 8L * 1024 * 1024;
    private static final long RETRY_MIN_MS = 100;
    private static final long RETRY_MAX_MS = 2000;
    private static final int REASON_STRING_MAX = 512;
    private static final Logger LOG = LoggerFactory.getLogger(CameraSession.class);
    /** Every camera hits a failed spool on each reconnect: one line per 10 s (the spool logs its failure itself). */
    private static final ThrottledWarning SPOOL_FAILED = new ThrottledWarning(LOG::error, 10, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);
    /** A client that ignores its in-flight window reconnects and does it again: one line per 10 s, not one per connection. */
    private static final ThrottledWarning OVER_QUOTA = new ThrottledWarning(LOG::warn, 10, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);

    private final Vertx vertx;
    private final MqttEndpoint endpoint;
    private final Camera camera;
    private final ReadIngestor ingestor;
    private final GatewayMetrics metrics;
    private final boolean v5;
    /** the connection's client id: as sent, or assigned (MQTT 5); null when a 3.1.1 client sent none */
    private final String clientId;
    private final boolean assignedClientId;
    private final String ownTopic;
    private final AckSender.Outbox outbox;
    private final OversizeRefusals oversize;
    private final ClientSessions sessions;
    private final MqttPendingBudget budget;
    /** whether the camera still has the access it connected with (a reload may remove or re-key it) */
    private final java.util.function.Predicate<Camera> stillAuthorized;
    /** retries waiting for a full spool to drain, woken at once when the connection closes */
    private final java.util.Map<Long, Promise<Void>> retryWaits = new java.util.HashMap<>();
    private Future<Void> ackTail = Future.succeededFuture();
    /** the session this connection holds, as CONNECT began it */
    private StoredSessions.Begun begun;
    private int inFlight;
    private long pendingBytes;
    private boolean closed;

    CameraSession(Vertx vertx, MqttEndpoint endpoint, Camera camera, ReadIngestor ingestor, GatewayMetrics metrics,
                  AckSender.Outbox outbox, OversizeRefusals oversize, ClientSessions sessions, MqttPendingBudget budget,
                  java.util.function.Predicate<Camera> stillAuthorized) {
        this.stillAuthorized = stillAuthorized;
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.camera = camera;
        this.ingestor = ingestor;
        this.metrics = metrics;
        this.v5 = endpoint.protocolVersion() == 5;
        // no client id sent (the server does not make one up: MqttIngestServer): MQTT 3.1.1 allows that only
        // with Clean Session 1, so the connection has no session; an MQTT 5 client is assigned one, and told it
        this.assignedClientId = v5 && (endpoint.clientIdentifier() == null || endpoint.clientIdentifier().isEmpty());
        this.clientId = assignedClientId ? "platewarden-" + java.util.UUID.randomUUID() : endpoint.clientIdentifier();
        this.ownTopic = TOPIC_PREFIX + camera.id();
        this.outbox = outbox;
        this.oversize = oversize;
        this.sessions = sessions;
        this.budget = budget;
    }

    /** Accepts the connection; {@code onClose} runs when it closes. */
    void start(MqttProperties connackProperties, Runnable onClose) {
        endpoint.publishAutoAck(false);
        endpoint.publishHandler(this::onPublish);
        endpoint.publishReleaseHandler(endpoint::publishComplete); // QoS 2 from 3.1.1 clients: PUBREC was sent after fsync
        endpoint.subscribeHandler(this::onSubscribe);
        endpoint.exceptionHandler(this::onException);
        if (v5) endpoint.disconnectMessageHandler(this::onDisconnect);
        endpoint.closeHandler(v -> {
            closed = true;
            wakeRetries();
            onClose.run();
            metrics.cameraDisconnected();
            sessions.closed(camera.id(), clientId, this);
        });
        begun = sessions.open(camera.id(), clientId, endpoint.isCleanSession(), requestedExpirySeconds(), this, vertx.getOrCreateContext());
        if (connackProperties != null) {
            long requested = requestedExpirySeconds();
            if (requested > begun.expirySeconds()) {
                // MQTT 5 lets the server shorten it: the client learns the interval in force from CONNACK
                connackProperties.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(),
                        (int) begun.expirySeconds()));
            }
            if (assignedClientId) {
                // an MQTT 5 client that sent no client id must be told the one it has [MQTT-3.2.2-16]
                connackProperties.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), clientId));
            }
            endpoint.accept(begun.present(), connackProperties);
        } else {
            endpoint.accept(begun.present());
        }
        metrics.cameraConnected();
    }

    /**
     * An MQTT 5 DISCONNECT may change the session's expiry (e.g. to 0: the client is done with it).
     * Raising it from a CONNECT's 0 is a protocol error (MQTT 5, 3.14.2.2.2); the connection is ending
     * anyway, so the session simply ends with it.
     */
    private void onDisconnect(MqttDisconnectMessage message) {
        MqttProperties.MqttProperty<?> p = message.properties() == null ? null
                : message.properties().getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        if (p != null && p.value() instanceof Integer seconds && begun != null && begun.expirySeconds() > 0) {
            sessions.changeExpiry(camera.id(), clientId, this, Integer.toUnsignedLong(seconds));
        }
    }

    /**
     * MQTT 5's Session Expiry Interval from CONNECT (absent: 0, the session ends with the
     * connection; 0xFFFFFFFF: never, read unsigned), or -1 for MQTT 3.1.1, which has none.
     */
    private long requestedExpirySeconds() {
        if (!v5) return -1;
        MqttProperties.MqttProperty<?> p = endpoint.connectProperties() == null ? null
                : endpoint.connectProperties().getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        return p != null && p.value() instanceof Integer seconds ? Integer.toUnsignedLong(seconds) : 0;
    }

    /** Another connection of this camera with the same client id was accepted: this one ends (on its own event loop). */
    void takenOver() {
        LOG.info("camera {}: a new connection with client id '{}' takes over; closing the previous one", camera.id(), clientId);
        disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER, "another connection with this client id took over");
    }

    /**
     * A reload removed this camera, or changed its secrets or agency: the connection ends, on its
     * event loop. PUBLISHes whose PUBACK was decided leave first (through the outbox, as any
     * DISCONNECT); the others get none and stay with the client, which resends them once it
     * connects with credentials in force.
     */
    void revoked(boolean removed) {
        if (removed) {
            endRevoked(MqttDisconnectReasonCode.NOT_AUTHORIZED, "removed from the configuration by a reload", "the camera is no longer configured");
        } else {
            endRevoked(MqttDisconnectReasonCode.ADMINISTRATIVE_ACTION, "its secrets or agency changed by a reload",
                    "the camera's credentials changed; connect again with the ones in force");
        }
    }

    private void endRevoked(MqttDisconnectReasonCode code, String why, String reasonString) {
        if (closed) return;
        LOG.info("camera {}: {}; closing its MQTT connection (client id '{}')", camera.id(), why, clientId);
        disconnect(code, reasonString);
    }

    private void onPublish(MqttPublishMessage msg) {
        long start = System.nanoTime();
        if (closed) return;
        // a connection that a reload's sweep missed (accepted while the reload was being applied)
        // stops at its first PUBLISH: nothing is taken from a camera without the access it connected with
        if (!stillAuthorized.test(camera)) {
            endRevoked(MqttDisconnectReasonCode.NOT_AUTHORIZED, "no longer authorized (a reload removed it or changed its secrets or agency)",
                    "the camera's credentials are no longer configured");
            return;
        }
        if (v5 && msg.qosLevel() == MqttQoS.EXACTLY_ONCE) {
            // the CONNACK said Maximum QoS 1; a PUBREC would tell the client its message was stored
            // exactly once whatever became of it (MQTT 5, 3.3.1-4: DISCONNECT 0x9B)
            disconnect(MqttDisconnectReasonCode.QOS_NOT_SUPPORTED, "QoS 2 is not supported (Maximum QoS 1): publish with QoS 1");
            return;
        }
        MqttProperties.MqttProperty<?> alias = v5 ? msg.properties().getProperty(TOPIC_ALIAS) : null;
        if (alias != null) {
            // the CONNACK has no Topic Alias Maximum (0: none taken), so any alias is above it: a protocol error
            // answered DISCONNECT 0x94 (MQTT 5, 3.3.2.3.4), with or without a topic name beside it. The PUBLISH
            // is not taken and stays with the client; PUBACKs decided before leave first (through the outbox)
            disconnect(MqttDisconnectReasonCode.TOPIC_ALIAS_INVALID, "Topic Alias " + alias.value()
                    + " refused: the gateway takes no Topic Aliases (its CONNACK's Topic Alias Maximum is 0); send the topic name"
                    + " in every PUBLISH and no alias");
            return;
        }
        int size = msg.payload().length();
        // checked with this PUBLISH counted, before it is held: one over the limit is never kept
        if (inFlight + 1 > MAX_PENDING_MESSAGES || pendingBytes + size > MAX_PENDING_BYTES) {
            OVER_QUOTA.warn("camera " + camera.id() + " has " + inFlight + " PUBLISHes (" + pendingBytes + " bytes) awaiting durability"
                    + " and sent another of " + size + " bytes; disconnecting (the limit per connection is " + MAX_PENDING_MESSAGES
                    + " PUBLISHes or " + MAX_PENDING_BYTES + " bytes)");
            disconnect(MqttDisconnectReasonCode.QUOTA_EXCEEDED, "too many unacknowledged PUBLISHes");
            return;
        }
        long admitted = budget.admissionBytes(size);
        MqttPendingBudget.Reservation reservation = budget.tryReserve(admitted);
        if (reservation == null) {
            budget.refused(camera.id(), admitted);
            disconnect(MqttDisconnectReasonCode.QUOTA_EXCEEDED, "the gateway has too many PUBLISHes awaiting durability; resend later");
            return;
        }
        inFlight++;
        pendingBytes += size;
        // the acknowledgement needs only these: the packet (and its payload) is not kept while the reads wait
        int messageId = msg.messageId();
        MqttQoS qos = msg.qosLevel();
        Future<PublishOutcome> outcome;
        try {
            outcome = process(msg, reservation);
        } catch (RuntimeException e) {
            outcome = Future.failedFuture(e);
        } catch (Error e) {
            settled(reservation, size);
            throw e;
        }
        Future<PublishOutcome> processed = outcome;
        ackTail = ackTail.transform(previous -> processed).transform(ar -> {
            settled(reservation, size); // first: whatever the rest does, the share is given back
            if (ar.succeeded()) acknowledge(messageId, qos, ar.result(), start);
            else failed(ar.cause());
            return Future.succeededFuture();
        });
    }

    /**
     * Cameras only publish: every subscription is refused. MQTT 5 says why, NOT_AUTHORIZED (0x87) with a
     * reason string, rather than the unspecified error (0x80) that is all MQTT 3.1.1 has.
     */
    private void onSubscribe(MqttSubscribeMessage s) {
        if (closed) return;
        int n = s.topicSubscriptions().size();
        if (v5) {
            endpoint.subscribeAcknowledge(s.messageId(), Collections.nCopies(n, MqttSubAckReasonCode.NOT_AUTHORIZED),
                    reasonProperties("cameras only publish (to " + ownTopic + "): the gateway takes no subscriptions", false));
        } else {
            endpoint.subscribeAcknowledge(s.messageId(), Collections.nCopies(n, MqttQoS.FAILURE));
        }
    }

    /** A PUBLISH taken in is settled (acknowledged, refused, failed or abandoned): it is no longer held. */
    private void settled(MqttPendingBudget.Reservation reservation, int size) {
        inFlight--;
        pendingBytes -= size;
        reservation.release();
    }

    /**
     * The topic a refused PUBLISH named, for its reason: an empty one is told to send the name, not
     * "not ''" (one that came with a Topic Alias was disconnected before: {@link #onPublish}).
     */
    private static String sentTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            return "an empty topic name (the gateway takes no Topic Aliases: its CONNACK's Topic Alias Maximum"
                    + " is 0; send the topic name in every PUBLISH)";
        }
        return "'" + topic + "'";
    }

    private Future<PublishOutcome> process(MqttPublishMessage msg, MqttPendingBudget.Reservation reservation) {
        // parsed from the bytes; a dead letter keeps the bytes (and makes them text, exactly if they are UTF-8)
        byte[] payload = msg.payload().getBytes();
        String topic = msg.topicName();
        if (!ownTopic.equals(topic)) {
            boolean readsTopic = topic != null && topic.startsWith(TOPIC_PREFIX) && topic.length() > TOPIC_PREFIX.length();
            MqttPubAckReasonCode code = readsTopic ? MqttPubAckReasonCode.NOT_AUTHORIZED : MqttPubAckReasonCode.TOPIC_NAME_INVALID;
            Rejection refusal = new Rejection(TOPIC_NOT_ALLOWED, "camera " + camera.id() + " may publish only to " + ownTopic + ", not "
                    + sentTopic(topic));
            metrics.rejected(PROTOCOL, PROTOCOL, TOPIC_NOT_ALLOWED);
            return ingestor.deadLetter(topicRefusalLetters(payload, refusal))
                    .map(v -> PublishOutcome.refusedAndDeadLettered(code, refusal.reason()));
        }
        List<IngestItem> items;
        try {
            items = items(payload);
        } catch (IllegalArgumentException e) {
            String reason = Rejection.INVALID_JSON + ": " + e.getMessage();
            metrics.rejected(PROTOCOL, PROTOCOL, Rejection.INVALID_JSON);
            return ingestor.deadLetter(List.of(DeadLetter.of(STAGE, camera.id(), null, reason, payload)))
                    .map(v -> PublishOutcome.refusedAndDeadLettered(MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID, reason));
        }
        Waiting waiting = Waiting.of(ingestor.prepare(items, camera, PROTOCOL, PROTOCOL, STAGE));
        // from here on the PUBLISH holds its reads as encoded for the spool (about 2.4 times a typical
        // payload), not the payload: its share of the budget becomes that (it was taken in at an estimate)
        long held = waiting.heldBytes();
        budget.observed(payload.length, held);
        if (!reservation.resize(held)) {
            budget.refused(camera.id(), held);
            disconnect(MqttDisconnectReasonCode.QUOTA_EXCEEDED, "the gateway has too many PUBLISHes awaiting durability; resend later");
            return Future.failedFuture(new IllegalStateException("over gateway.mqtt_max_pending_bytes_total"));
        }
        // bad reads are dead-lettered once the good ones are stored: a PUBLISH the spool fails is
        // resent whole (no PUBACK), and would otherwise leave its bad reads' dead letters twice
        return appendUntilStored(waiting.documents(), RETRY_MIN_MS)
                .compose(seq -> ingestor.deadLetter(waiting.deadLetters()))
                .map(v -> {
                    ingestor.countAccepted(PROTOCOL, PROTOCOL, waiting.documents().size());
                    return waiting.outcome();
                });
    }

    /**
     * What a PUBLISH keeps while its reads wait for durability: the documents for the spool, the
     * dead letters of its refused reads and what its PUBACK will say; not the packet, nor the
     * validated reads' other fields (with them a waiting PUBLISH held about 4.5 times its payload,
     * measured with 250 KB payloads of ~150-byte reads; with this, about 2.4 times).
     */
    private record Waiting(List<byte[]> documents, List<DeadLetter> deadLetters, PublishOutcome outcome) {
        /** per array and per list slot, roughly (a 64-bit JVM with compressed pointers) */
        private static final long ARRAY_OVERHEAD = 24;
        /** a dead letter's fields besides its reason and payload, roughly */
        private static final long LETTER_OVERHEAD = 256;

        static Waiting of(PreparedBatch batch) {
            return new Waiting(batch.documents(), batch.deadLetters(), outcomeOf(batch));
        }

        /** An estimate of the heap this holds, for the pending budget. */
        long heldBytes() {
            long bytes = 0;
            for (byte[] d : documents) bytes += d.length + ARRAY_OVERHEAD;
            for (DeadLetter l : deadLetters) {
                bytes += LETTER_OVERHEAD + length(l.reason()) + length(l.payload()) + length(l.payloadBase64());
            }
            String note = outcome.reasonString();
            return bytes + length(note);
        }

        private static long length(String s) {
            return s == null ? 0 : s.length();
        }
    }

    /**
     * Retries an append refused by a full spool until it is stored or the client goes away. Once
     * it has gone the PUBLISH is the client's again (it resends it on its next connection), so no
     * further attempt is made: storing it as well would dead-letter its bad reads twice.
     */
    private Future<Long> appendUntilStored(List<byte[]> documents, long delayMs) {
        return ingestor.append(documents).recover(err -> {
            if (!(err instanceof SpoolFullException) || closed) return Future.failedFuture(err);
            metrics.overloaded(PROTOCOL, "spool_full");
            Promise<Void> later = Promise.promise();
            long timer = vertx.setTimer(delayMs, id -> {
                retryWaits.remove(id);
                later.tryComplete();
            });
            retryWaits.put(timer, later);
            return later.future().compose(v -> closed ? Future.failedFuture(err)
                    : appendUntilStored(documents, Math.min(delayMs * 2, RETRY_MAX_MS)));
        });
    }

    /**
     * The connection closed: retries waiting for the spool end now (each then fails, as its
     * connection is closed), so their PUBLISHes are settled and their share of the pending budget
     * given back at once rather than up to {@link #RETRY_MAX_MS} later. On the connection's event loop.
     */
    private void wakeRetries() {
        if (retryWaits.isEmpty()) return;
        List<Long> timers = new ArrayList<>(retryWaits.keySet());
        for (Long timer : timers) {
            vertx.cancelTimer(timer);
            Promise<Void> waiting = retryWaits.remove(timer);
            if (waiting != null) waiting.tryComplete();
        }
    }

    /** Streams the payload's reads (no item limit: the MQTT maximum message size bounds them). */
    /**
     * A message on the wrong topic, dead-lettered read by read where it parses, so a read captured
     * before the retention window keeps no plate ({@link ReadIngestor#deadLetter}); as it came when
     * it does not parse (nothing tells its date).
     */
    private List<DeadLetter> topicRefusalLetters(byte[] payload, Rejection refusal) {
        try {
            List<DeadLetter> letters = items(payload).stream().map(item -> ingestor.deadLetter(item, refusal, camera, STAGE)).toList();
            if (!letters.isEmpty()) return letters;
        } catch (IllegalArgumentException unparseable) {
            // kept whole, below
        }
        return List.of(DeadLetter.of(STAGE, camera.id(), null, refusal.reason(), payload));
    }

    private static List<IngestItem> items(byte[] payload) {
        try {
            return JsonReadItems.parse(payload, Integer.MAX_VALUE);
        } catch (JsonReadItems.MalformedPayloadException e) {
            throw new IllegalArgumentException(switch (e.problem()) {
                case EMPTY -> "empty payload";
                case NOT_JSON -> "payload is not valid JSON: " + e.getMessage();
                case NOT_OBJECT_OR_ARRAY, TOO_MANY -> "payload must be a JSON object or an array of objects";
            });
        }
    }

    private static PublishOutcome outcomeOf(PreparedBatch batch) {
        if (batch.rejected().isEmpty()) return PublishOutcome.success(null);
        String reasons = batch.rejected().stream().map(r -> "[" + r.index() + "] " + r.rejection().reason()).collect(Collectors.joining("; "));
        if (batch.accepted().isEmpty()) {
            return PublishOutcome.refusedAndDeadLettered(MqttPubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "all reads refused: " + reasons);
        }
        return PublishOutcome.success(batch.rejected().size() + " of " + (batch.rejected().size() + batch.accepted().size()) + " reads refused: " + reasons);
    }

    private void acknowledge(int id, MqttQoS qos, PublishOutcome outcome, long start) {
        if (closed || !endpoint.isConnected()) return;
        if (qos == MqttQoS.AT_MOST_ONCE) {
            // QoS 0 has no acknowledgement; refusals are in the dead-letter store
            return;
        }
        // written by the AckSender (see there: PUBACKs of one group commit share a flush), in order
        boolean exactlyOnce = qos == MqttQoS.EXACTLY_ONCE;
        if (v5) {
            MqttProperties props = reasonProperties(outcome.reasonString(), false);
            MqttPubAckReasonCode code = outcome.code();
            outbox.send(exactlyOnce ? () -> endpoint.publishReceived(id) : () -> endpoint.publishAcknowledge(id, code, props));
        } else {
            // MQTT 3.1.1 has no negative PUBACK: a refusal is in the dead-letter store (and counted)
            outbox.send(exactlyOnce ? () -> endpoint.publishReceived(id) : () -> endpoint.publishAcknowledge(id));
        }
        metrics.ackLatency(PROTOCOL, start);
    }

    /** Durability unknown or impossible: no PUBACK, close; the client keeps and resends the message. */
    private void failed(Throwable err) {
        Throwable t = Failures.unwrap(err);
        if (closed) return;
        if (t instanceof SpoolFailedException) {
            SPOOL_FAILED.warn("spool failed; disconnecting camera " + camera.id() + " (it will reconnect and resend): " + t);
            disconnect(MqttDisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "gateway cannot store reads durably");
        } else if (t instanceof DeadLetterUnavailableException || t instanceof SpoolFullException) {
            disconnect(MqttDisconnectReasonCode.SERVER_BUSY, t.getMessage());
        } else if (t instanceof AppendTooLargeException) {
            // only with a gateway.mqtt_max_message_bytes far above the default: treated like an oversize packet
            LOG.warn("camera {}: a PUBLISH's reads take more than one spool append can hold ({}); closing the connection", camera.id(), t.getMessage());
            disconnect(MqttDisconnectReasonCode.PACKET_TOO_LARGE, "the message's reads are too large to store at once");
        } else {
            LOG.error("PUBLISH of camera {} failed", camera.id(), t);
            disconnect(MqttDisconnectReasonCode.UNSPECIFIED_ERROR, "internal error");
        }
    }

    /**
     * Vert.x closes the connection as soon as this handler returns (on the event loop), so the
     * DISCONNECT is written here and now: through the outbox it would reach a closed connection.
     * PUBACKs still in the outbox are lost with the connection either way (their messages stay
     * with the client, which resends them).
     */
    private void onException(Throwable t) {
        if (MqttOversize.is(t)) {
            if (closed) return;
            String reason = oversize.refused(t, camera.id());
            closing(MqttDisconnectReasonCode.PACKET_TOO_LARGE, reason).run();
        } else {
            LOG.info("MQTT connection of camera {}: {}", camera.id(), t.toString());
            closing(MqttDisconnectReasonCode.PROTOCOL_ERROR, "protocol error").run();
        }
    }

    private void disconnect(MqttDisconnectReasonCode code, String reason) {
        // through the outbox: PUBACKs decided before this still leave first
        outbox.send(closing(code, reason));
    }

    /** A reason code as the disconnects counter's {@code reason} label, e.g. {@code quota_exceeded}. */
    static String disconnectReason(MqttDisconnectReasonCode code) {
        return code.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Marks the session closed and returns the writes that close it (nothing, if it already was). */
    private Runnable closing(MqttDisconnectReasonCode code, String reason) {
        if (closed) return () -> { };
        closed = true;
        wakeRetries();
        metrics.mqttDisconnect(code == null ? "close" : disconnectReason(code));
        boolean sendDisconnect = v5 && code != null && endpoint.isConnected();
        MqttProperties props = sendDisconnect ? reasonProperties(reason, true) : new MqttProperties();
        return () -> {
            if (sendDisconnect) {
                try {
                    endpoint.disconnect(code, props); // writes DISCONNECT, then closes
                    return;
                } catch (RuntimeException e) {
                    LOG.debug("DISCONNECT not sent: {}", e.toString());
                }
            }
            try {
                endpoint.close();
            } catch (RuntimeException e) {
                // closed meanwhile: Vert.x refuses to close a closed endpoint
                LOG.debug("MQTT connection already closed: {}", e.toString());
            }
        };
    }

    /**
     * A reason string, where the client lets one be sent (MQTT 5): a client that set Request Problem
     * Information to 0 gets none except on DISCONNECT, and none that would make the packet larger
     * than the Maximum Packet Size it announced (3.1.2.11.7, 3.1.2.11.4).
     */
    private MqttProperties reasonProperties(String reason, boolean disconnect) {
        MqttProperties props = new MqttProperties();
        if (reason == null) return props;
        MqttProperties connect = endpoint.connectProperties();
        MqttProperties.MqttProperty<?> problemInfo = connect == null ? null
                : connect.getProperty(MqttProperties.MqttPropertyType.REQUEST_PROBLEM_INFORMATION.value());
        if (!disconnect && problemInfo != null && Integer.valueOf(0).equals(problemInfo.value())) return props;
        String text = truncate(reason);
        MqttProperties.MqttProperty<?> maxPacket = connect == null ? null
                : connect.getProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value());
        // fixed header (at most 1 + 4) + packet id and reason code (3) + property length (at most 4) + id and length (3)
        int packetSize = 14 + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (maxPacket != null && maxPacket.value() instanceof Integer max && packetSize > max) return props;
        props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), text));
        return props;
    }

    private static String truncate(String s) {
        return s.length() <= REASON_STRING_MAX ? s : s.substring(0, REASON_STRING_MAX - 3) + "...";
    }
}

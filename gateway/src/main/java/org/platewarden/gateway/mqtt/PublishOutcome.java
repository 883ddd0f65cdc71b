package org.platewarden.gateway.mqtt;

import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;

/**
 * How one PUBLISH ended once everything about it is durable, and so what its PUBACK says.
 * {@code reasonString} (MQTT 5 only) explains refusals and partial batches.
 * {@code v311Acceptable}: whether an MQTT 3.1.1 client (which has no negative PUBACK) gets a plain
 * PUBACK; when false the connection is closed instead so the client keeps the message.
 */
record PublishOutcome(MqttPubAckReasonCode code, String reasonString, boolean v311Acceptable) {

    static PublishOutcome success(String note) {
        return new PublishOutcome(MqttPubAckReasonCode.SUCCESS, note, true);
    }

    /** The payload was refused and dead-lettered: a resend would be refused again, so 3.1.1 gets a PUBACK. */
    static PublishOutcome refusedAndDeadLettered(MqttPubAckReasonCode code, String reason) {
        return new PublishOutcome(code, reason, true);
    }

    /** Not ours to take (wrong topic): 3.1.1 clients are disconnected. */
    static PublishOutcome notAuthorized(MqttPubAckReasonCode code, String reason) {
        return new PublishOutcome(code, reason, false);
    }
}

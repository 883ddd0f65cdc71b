package org.platewarden.gateway.mqtt;

import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;

/**
 * How one PUBLISH ended once everything about it is durable, and so what its PUBACK says.
 * {@code reasonString} (MQTT 5 only) explains refusals and partial batches. A refusal is always
 * dead-lettered before its PUBACK, so an MQTT 3.1.1 client (which has no negative PUBACK) gets a
 * plain one too: closing the connection instead made the client resend the refused message for
 * ever, a dead letter each time, and left every later message on that connection unacknowledged.
 */
record PublishOutcome(MqttPubAckReasonCode code, String reasonString) {

    static PublishOutcome success(String note) {
        return new PublishOutcome(MqttPubAckReasonCode.SUCCESS, note);
    }

    /** The message was refused (its payload, or its topic) and dead-lettered: a resend would be refused again. */
    static PublishOutcome refusedAndDeadLettered(MqttPubAckReasonCode code, String reason) {
        return new PublishOutcome(code, reason);
    }
}

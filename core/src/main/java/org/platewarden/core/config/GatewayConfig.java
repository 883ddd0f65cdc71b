package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Ingest settings. Every limit is explicit so memory stays bounded under any input. With
 * {@code tls_client_ca_path} the MQTT TLS listener requires a client certificate signed by that CA
 * and the certificate's CN is the camera id (client-certificate authentication, no password needed).
 * With {@code http_tls} the HTTP ingest port serves HTTPS with the same certificate and key.
 */
public record GatewayConfig(
        @JsonProperty("host") String host,
        @JsonProperty("http_port") int httpPort,
        @JsonProperty("mqtt_port") int mqttPort,
        @JsonProperty("mqtt_tls_port") int mqttTlsPort,
        @JsonProperty("tls_cert_path") String tlsCertPath,
        @JsonProperty("tls_key_path") String tlsKeyPath,
        @JsonProperty("tls_client_ca_path") String tlsClientCaPath,
        @JsonProperty("http_body_limit_bytes") int httpBodyLimitBytes,
        @JsonProperty("mqtt_max_message_bytes") int mqttMaxMessageBytes,
        @JsonProperty("max_reads_per_request") int maxReadsPerRequest,
        @JsonProperty("future_skew_seconds") int futureSkewSeconds,
        @JsonProperty("worker_pool_size") int workerPoolSize,
        @JsonProperty("worker_queue_limit") int workerQueueLimit,
        @JsonProperty("event_loops") int eventLoops,
        @JsonProperty("http_tls") boolean httpTls,
        @JsonProperty("http_idle_timeout_seconds") int httpIdleTimeoutSeconds,
        @JsonProperty("http_header_timeout_seconds") int httpHeaderTimeoutSeconds,
        @JsonProperty("max_connections_per_address") int maxConnectionsPerAddress,
        @JsonProperty("mqtt_max_connections_per_address") int mqttMaxConnectionsPerAddress,
        @JsonProperty("read_id_key") String readIdKey,
        @JsonProperty("mqtt_session_expiry_max_seconds") long mqttSessionExpiryMaxSeconds,
        @JsonProperty("mqtt_max_pending_bytes_total") long mqttMaxPendingBytesTotal) {

    /** The least length of {@code read_id_key}: the HMAC key of derived read ids (ReadIdKey). */
    public static final int READ_ID_KEY_MIN_CHARS = 32;

    /** Seconds without a byte read or written before an HTTP connection is closed. */
    public static final int DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS = 60;
    /** Seconds a connection has to deliver a request's headers, from opening or its previous response. */
    public static final int DEFAULT_HTTP_HEADER_TIMEOUT_SECONDS = 10;
    /** Open HTTP connections one client address may have (many cameras behind one NAT); 0 = no cap. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
    /**
     * Open MQTT connections (CONNECT received) one client address may have on the MQTT ports together;
     * 0 = no cap. As HTTP's: cameras behind one NAT share its address, each holding one connection.
     */
    public static final int DEFAULT_MQTT_MAX_CONNECTIONS_PER_ADDRESS = 256;

    /**
     * How long an MQTT session may outlive its connection: a week, so a camera whose uplink was down
     * over a weekend still resumes it (and resends what was not acknowledged); a session holds no
     * more than its existence here, so long costs nothing.
     */
    public static final long DEFAULT_MQTT_SESSION_EXPIRY_MAX_SECONDS = 7L * 24 * 3600;

    /**
     * Heap that MQTT PUBLISHes awaiting durability (taken in, not yet acknowledged or refused) may
     * hold on all MQTT connections of the gateway together, every event loop: a PUBLISH counts its
     * payload until its reads are parsed, then its reads as encoded for the spool (about 2.4 times
     * a payload of typical ~150-byte reads). A PUBLISH that would take the total past it closes its
     * connection (MQTT 5: DISCONNECT QUOTA_EXCEEDED) instead of being held. 32 MiB: an eighth of a
     * 256 MiB gateway-only heap (docs/operations.md, Memory), a sixteenth of the launcher's default
     * 512 MiB; a healthy spool makes a PUBLISH durable within milliseconds, so at the benchmark's
     * 86 000 reads/s (about 33 MB/s as held) a 30 ms fsync comes to 1 MiB, and 32 MiB rides out a
     * stall of about a second.
     */
    public static final long DEFAULT_MQTT_MAX_PENDING_BYTES_TOTAL = 32L * 1024 * 1024;

    public static GatewayConfig defaults() {
        return new GatewayConfig("0.0.0.0", 8080, 1883, 0, null, null, null,
                4 * 1024 * 1024, 256 * 1024, 10_000, 300, 4, 1024, 0, false,
                DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS, DEFAULT_HTTP_HEADER_TIMEOUT_SECONDS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                DEFAULT_MQTT_MAX_CONNECTIONS_PER_ADDRESS, null, DEFAULT_MQTT_SESSION_EXPIRY_MAX_SECONDS,
                DEFAULT_MQTT_MAX_PENDING_BYTES_TOTAL);
    }

    /**
     * How many event loops serve ingest (HTTP and MQTT listeners on the same ports, connections
     * spread over them): {@code event_loops}, or one per core when 0.
     */
    public int effectiveEventLoops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }
}

package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Search API settings, including the dragnet guards and the purpose lists. With
 * {@code tls_cert_path} and {@code tls_key_path} the API serves HTTPS only.
 */
public record SearchConfig(
        @JsonProperty("host") String host,
        @JsonProperty("port") int port,
        @JsonProperty("allowed_purposes") List<String> allowedPurposes,
        @JsonProperty("prohibited_purposes") List<String> prohibitedPurposes,
        @JsonProperty("min_known_chars") int minKnownChars,
        @JsonProperty("max_window_days") int maxWindowDays,
        @JsonProperty("max_results") int maxResults,
        @JsonProperty("rate_limit_per_minute") int rateLimitPerMinute,
        @JsonProperty("http_body_limit_bytes") int httpBodyLimitBytes,
        @JsonProperty("audit_journal_preallocate_bytes") int auditJournalPreallocateBytes,
        @JsonProperty("audit_overlap_steps") boolean auditOverlapSteps,
        @JsonProperty("anonymous_records_per_minute_per_address") int anonymousRecordsPerMinutePerAddress,
        @JsonProperty("anonymous_records_per_minute") int anonymousRecordsPerMinute,
        @JsonProperty("refused_records_per_minute_per_user") int refusedRecordsPerMinutePerUser,
        @JsonProperty("tls_cert_path") String tlsCertPath,
        @JsonProperty("tls_key_path") String tlsKeyPath,
        @JsonProperty("trusted_proxies") List<String> trustedProxies,
        @JsonProperty("http_idle_timeout_seconds") int httpIdleTimeoutSeconds,
        @JsonProperty("http_header_timeout_seconds") int httpHeaderTimeoutSeconds,
        @JsonProperty("max_connections_per_address") int maxConnectionsPerAddress,
        @JsonProperty("max_concurrent_searches") int maxConcurrentSearches,
        @JsonProperty("max_queued_searches") int maxQueuedSearches,
        @JsonProperty("max_queue_wait_ms") int maxQueueWaitMs,
        @JsonProperty("es_request_timeout_ms") int esRequestTimeoutMs,
        @JsonProperty("audit_index_timeout_ms") int auditIndexTimeoutMs,
        @JsonProperty("max_search_ms") int maxSearchMs) {

    public static final List<String> DEFAULT_ALLOWED = List.of("stolen_vehicle", "violent_crime", "homicide",
            "robbery", "burglary", "hit_and_run", "missing_person", "amber_alert", "felony_investigation");
    public static final List<String> DEFAULT_PROHIBITED = List.of("immigration_enforcement",
            "reproductive_health", "personal", "protected_activity");

    /**
     * How far ahead of its records the audit journal is filled with newlines, so that a record's
     * fsync overwrites blocks instead of growing the file; 0 = append (copy-on-write file systems,
     * where an overwrite allocates new blocks anyway).
     */
    public static final int DEFAULT_AUDIT_JOURNAL_PREALLOCATE = 4 << 20;

    /**
     * Whether an audit record written on its own (no other record queued behind it) is sent to
     * Elasticsearch while its journal line is written and fsynced, rather than after. The search
     * still waits for both; a lone search's audit write then costs the slower step instead of the two
     * added up. false = always journal first.
     */
    public static final boolean DEFAULT_AUDIT_OVERLAP_STEPS = true;

    /**
     * The least {@code min_known_chars} start-up accepts: the characters a match must contain (the
     * pattern's literals minus {@code max_edits}). With one, {@code *A*} or {@code AB*} with one edit
     * would match a large share of all plates; two is also the shortest plate, so any plate can
     * still be searched exactly.
     */
    public static final int MIN_KNOWN_CHARS_FLOOR = 2;

    /**
     * How many requests without an authenticated caller (401, and a 400 or 413 that named none) from
     * one client address get an audit record of their own in a one-minute window; the rest are
     * counted into that address's summary record of the window ({@code anonymous_summary}).
     */
    public static final int DEFAULT_ANONYMOUS_RECORDS_PER_MINUTE_PER_ADDRESS = 60;

    /** The same budget for the node, across every address: past it, every address's requests are counted. */
    public static final int DEFAULT_ANONYMOUS_RECORDS_PER_MINUTE = 3000;

    /**
     * How many requests of one authenticated caller (agency and user) that are refused — outcome
     * {@code invalid} (400, 413), {@code refused} (403, 404) or {@code rate_limited} (429) — get an
     * audit record of their own in a one-minute window; the rest are counted into that caller's
     * summary record of the window ({@code refused_summary}). Allowed requests are never budgeted.
     * 120 is twice the per-user search rate limit ({@code rate_limit_per_minute}, 60): an investigator
     * refuses at a human pace (a typo, a forgotten case number: a few a minute), and even a script that
     * runs into the rate limit has each 429 recorded up to twice the pace it could search at. A leaked
     * or misused token past it writes 120 records a minute (at most ~6 KB each, ~1 GB a day) plus one
     * summary, instead of one record per request at whatever rate it sends.
     */
    public static final int DEFAULT_REFUSED_RECORDS_PER_MINUTE_PER_USER = 120;

    /**
     * None on the search API: Vert.x's idle timeout also cuts a request the server is still working on
     * when no byte flows meanwhile, and ops runs (a compaction, a verify of a large trail) take minutes
     * — an ops compaction run was closed mid-request after 60 s. The header deadline and the
     * per-address cap bound what a client that never finishes a request can hold.
     */
    public static final int DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS = 0;

    /**
     * How many searches one node runs at once: it bounds the memory (each running search holds up to
     * 50 000 candidates) and the Elasticsearch connections (two or three each, of the node's 64) that
     * searches hold. A search beyond it waits for a slot ({@link #DEFAULT_MAX_QUEUED_SEARCHES}) or is
     * answered 503 with {@code Retry-After: 1}.
     */
    public static final int DEFAULT_MAX_CONCURRENT_SEARCHES = 16;

    /** The most {@code max_concurrent_searches} may be (and the least is 1). */
    public static final int MAX_CONCURRENT_SEARCHES = 128;

    /**
     * How many searches may wait, each at most {@code max_queue_wait_ms}, for a running one to end
     * when {@code max_concurrent_searches} are running; past it, or once its wait is over, a search is
     * answered 503 with {@code Retry-After: 1}. 0 answers 503 at once. A waiting search holds only its
     * parsed request and its connection, and the wait bounds how long: 64 takes a burst of one user's
     * whole minute of searches ({@code rate_limit_per_minute}, 60) at once (60 at once from three users
     * were all answered within 1.5 s on a busy two-core test machine; with no queue, 44 of them were 503s).
     */
    public static final int DEFAULT_MAX_QUEUED_SEARCHES = 64;

    /** The most {@code max_queued_searches} may be. */
    public static final int MAX_QUEUED_SEARCHES = 1024;

    /**
     * How long a queued search waits for a slot before it is answered 503: long enough for a burst to
     * be served, short enough that an investigator is told to retry rather than left waiting.
     */
    public static final int DEFAULT_MAX_QUEUE_WAIT_MS = 2000;

    /** The longest {@code max_queue_wait_ms} may be: a wait is never unbounded. */
    public static final int MAX_QUEUE_WAIT_MS = 10_000;

    /**
     * How long each Elasticsearch request of a search (the ranked page or a page of candidates, the
     * holds scan, the page's held documents) may wait for Elasticsearch before the search fails
     * closed (503, outcome {@code failed}). A search's request takes 8–11 ms on average and 15–24 ms in
     * the slowest 5 %, and a whole search's p99 is 27–51 ms (10 M reads over 21 days,
     * docs/benchmarks.md); the naive infix wildcard, which walks every day's term dictionary, 141 ms
     * at p99. 10 s is some 200 times a whole search's p99: room for a first search on cold caches
     * after a restart and for a long garbage collection, while an investigator whose cluster has
     * stopped answering is told so within seconds instead of after the client's default minute.
     * The same bound applies to each Elasticsearch request of every other 8081 route (audit reports
     * and verify, the transparency report, holds, the ops index view): a hung cluster fails them
     * closed (503) within it too. Ops runs (compaction, retention) may take minutes and keep their
     * own timeouts.
     */
    public static final int DEFAULT_ES_REQUEST_TIMEOUT_MS = 10_000;

    /**
     * How long an audit record's write to the audit index ({@code create}, or a bulk request of
     * creates) may wait for Elasticsearch. That step takes 4–7 ms on average and 10–22 ms in the
     * slowest 5 % (docs/benchmarks.md); 5 s is more than 200 times that. A write that times out is a
     * failed write (fail closed) whose record may have reached the index all the same: the record is
     * in the journal, is kept and re-sent (same id, {@code create}: an answer of 409 says it is
     * there), and the request is corrected in the trail as any whose record reached one copy.
     */
    public static final int DEFAULT_AUDIT_INDEX_TIMEOUT_MS = 5_000;

    /**
     * How long one search may take in all, from its arrival to its answer but for its audit record's
     * write: each of its Elasticsearch requests waits at most {@code es_request_timeout_ms} and at
     * most what is left of this, so a search whose cluster slows down without stopping is answered
     * 503 (outcome {@code failed}) at this deadline instead of after several request timeouts. Twice
     * the request timeout: a search takes one or two rounds of requests (tens of milliseconds each),
     * so only a cluster in trouble reaches it.
     */
    public static final int DEFAULT_MAX_SEARCH_MS = 20_000;

    /** The most {@code max_search_ms} may be (the least is {@code es_request_timeout_ms}). */
    public static final int MAX_SEARCH_MS = 300_000;

    /** The least either Elasticsearch timeout may be. */
    public static final int MIN_ES_TIMEOUT_MS = 100;

    /** The most either may be: the connection's own socket timeout, which applies when none is set. */
    public static final int MAX_ES_TIMEOUT_MS = 60_000;

    public SearchConfig {
        allowedPurposes = allowedPurposes == null ? DEFAULT_ALLOWED : List.copyOf(allowedPurposes);
        prohibitedPurposes = prohibitedPurposes == null ? DEFAULT_PROHIBITED : List.copyOf(prohibitedPurposes);
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    }

    public static SearchConfig defaults() {
        return new SearchConfig("0.0.0.0", 8081, null, null, 3, 31, 1000, 60, 64 * 1024, DEFAULT_AUDIT_JOURNAL_PREALLOCATE,
                DEFAULT_AUDIT_OVERLAP_STEPS, DEFAULT_ANONYMOUS_RECORDS_PER_MINUTE_PER_ADDRESS, DEFAULT_ANONYMOUS_RECORDS_PER_MINUTE,
                DEFAULT_REFUSED_RECORDS_PER_MINUTE_PER_USER, null, null, List.of(),
                DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS, GatewayConfig.DEFAULT_HTTP_HEADER_TIMEOUT_SECONDS,
                GatewayConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_CONCURRENT_SEARCHES, DEFAULT_MAX_QUEUED_SEARCHES,
                DEFAULT_MAX_QUEUE_WAIT_MS, DEFAULT_ES_REQUEST_TIMEOUT_MS, DEFAULT_AUDIT_INDEX_TIMEOUT_MS, DEFAULT_MAX_SEARCH_MS);
    }

    /**
     * The proxies whose {@code X-Forwarded-For} names the client ({@link AddressRange}s, validated at
     * start-up). Empty (the default): the connection's peer is the client, and the header is not read,
     * since any client could send it.
     */
    public List<AddressRange> trustedProxyRanges() {
        return trustedProxies.stream().map(AddressRange::parse).toList();
    }

    /** With a certificate and key the search API serves HTTPS (bearer tokens never cross the network in clear). */
    public boolean tls() {
        return tlsCertPath != null && tlsKeyPath != null;
    }
}

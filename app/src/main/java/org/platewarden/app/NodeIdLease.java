package org.platewarden.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.PlatewardenConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live search node per {@code node_id}: a lease document ({@code <prefix>-nodes}, id = node id)
 * that a search node takes before its audit trail opens and renews while it runs. Two nodes with one
 * node_id but different data directories pass the journal's file lock, and the second would take the
 * first's chain from the index into its own journal and go on from the same head: two records at
 * every seq from then on, a fork verify reports for good. So a second node is refused while the
 * lease is live.
 *
 * <p>Who holds it is the data directory's identity (a random id kept in
 * {@code audit/lease-<node_id>.id}), not the process: a node restarted on its own data directory
 * after a crash takes its lease back at once (the journal's file lock already proved no other process
 * runs there); a node on another data directory takes it over only once it has expired, {@link #TTL}
 * after its holder last renewed it (every {@link #RENEW_EVERY}); a clean stop deletes it. Every write
 * is conditional on the document's last seq_no, so two nodes taking over one expired lease cannot
 * both win. Blocking: acquired on the start thread, renewed on its own thread.
 */
final class NodeIdLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeIdLease.class);
    static final Duration TTL = Duration.ofSeconds(60);
    static final Duration RENEW_EVERY = Duration.ofSeconds(15);

    private final RestClient rest;
    private final String index;
    private final String nodeId;
    private final String owner;
    private final ObjectNode holder;
    private final Clock clock;
    private final Duration ttl;
    private final ScheduledExecutorService renewer;
    private long seqNo;
    private long primaryTerm;
    private boolean lost;

    private NodeIdLease(RestClient rest, String index, String nodeId, String owner, ObjectNode holder, Clock clock, Duration ttl) {
        this.rest = rest;
        this.index = index;
        this.nodeId = nodeId;
        this.owner = owner;
        this.holder = holder;
        this.clock = clock;
        this.ttl = ttl;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-id-lease-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** The lease of this node's id, renewed until {@link #close}; refused with {@link NodeIdInUseException}. */
    static NodeIdLease acquire(RestClient rest, PlatewardenConfig config) throws IOException {
        return acquire(rest, config, Clock.systemUTC(), TTL, RENEW_EVERY);
    }

    static NodeIdLease acquire(RestClient rest, PlatewardenConfig config, Clock clock, Duration ttl, Duration renewEvery) throws IOException {
        Path dataDir = config.dataPath().toAbsolutePath().normalize();
        ObjectNode holder = Json.MAPPER.createObjectNode();
        holder.put("node_id", config.nodeId());
        holder.put("owner", ownerId(dataDir, config.nodeId()));
        holder.put("host", hostName());
        holder.put("pid", ProcessHandle.current().pid());
        holder.put("data_dir", dataDir.toString());
        holder.putPOJO("audit_nodes", config.auditNodes());
        NodeIdLease lease = new NodeIdLease(rest, config.indexPrefix() + "-nodes", config.nodeId(),
                holder.path("owner").asText(), holder, clock, ttl);
        lease.take();
        lease.renewer.scheduleWithFixedDelay(lease::renew, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
        return lease;
    }

    /** The data directory's identity for this node id, made once; a copy of the directory carries it. */
    private static String ownerId(Path dataDir, String nodeId) throws IOException {
        Path file = dataDir.resolve("audit").resolve("lease-" + nodeId + ".id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!id.isEmpty()) return id;
        }
        Files.createDirectories(file.getParent());
        String id = UUID.randomUUID().toString();
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Makes the lease index (one shard, as the holds') and waits for its shard: a lease index being
     * created by another node answers 503 until its shard has started, and several nodes start at once.
     */
    private void ensureIndex() throws IOException {
        Request create = new Request("PUT", "/" + index);
        create.setEntity(new NStringEntity("{\"settings\":{\"index.number_of_shards\":1,\"index.auto_expand_replicas\":\"0-1\"}}",
                ContentType.APPLICATION_JSON));
        try {
            rest.performRequest(create);
        } catch (ResponseException e) {
            if (!e.getMessage().contains("resource_already_exists_exception")) throw e;
        }
        rest.performRequest(new Request("GET", "/_cluster/health/" + index + "?wait_for_status=yellow&timeout=30s"));
    }

    private void take() throws IOException {
        ensureIndex();
        // a few rounds: another node may take or create the document between our read and our write
        for (int round = 0; round < 3; round++) {
            JsonNode current = get();
            if (current == null) {
                if (write("/" + index + "/_create/" + nodeId)) return;
                continue;
            }
            JsonNode held = current.path("_source");
            Instant expires = Instant.parse(held.path("expires_at").asText());
            boolean ours = owner.equals(held.path("owner").asText());
            if (!ours && expires.isAfter(clock.instant())) {
                throw new NodeIdInUseException(refusal(held, expires), "node_id " + nodeId + " is in use by another live search node"
                        + " (its lease expires at " + expires + " unless renewed): the log says which");
            }
            if (write(conditional(current.path("_seq_no").asLong(), current.path("_primary_term").asLong()))) {
                if (!ours) {
                    LOG.warn("took over the lease of node_id {} from the node on {} (pid {}, data dir {}), whose lease expired at {}",
                            nodeId, held.path("host").asText(), held.path("pid").asText(), held.path("data_dir").asText(), expires);
                }
                return;
            }
        }
        throw new IOException("could not take the lease of node_id " + nodeId + " in " + index + ": other nodes kept changing it");
    }

    private String refusal(JsonNode held, Instant expires) {
        return "node_id " + nodeId + " is in use by another live search node (host " + held.path("host").asText() + ", pid "
                + held.path("pid").asText() + ", data dir " + held.path("data_dir").asText() + "; its lease in " + index
                + " was renewed at " + held.path("renewed_at").asText() + " and expires at " + expires + " unless renewed): two nodes"
                + " with one node_id would fork its audit chain; give this node its own node_id (and add it to every node's audit_nodes),"
                + " or stop the other one (a node that crashed is taken over " + ttl.toSeconds() + " s after its last renewal)";
    }

    /** Renews the lease; a lease another node took meanwhile (this one stalled past the TTL) is an ERROR each time. */
    private void renew() {
        try {
            synchronized (this) {
                if (lost) {
                    JsonNode current = get();
                    LOG.error("the lease of node_id {} is held by another node ({}): two live nodes share this node_id and fork its"
                            + " audit chain; stop one of them", nodeId, current == null ? "none now" : current.path("_source"));
                    return;
                }
                if (!write(conditional(seqNo, primaryTerm))) {
                    lost = true;
                    renew();
                }
            }
        } catch (Exception e) {
            LOG.warn("could not renew the lease of node_id {} in {}: {}; tried again in {} s", nodeId, index, e.getMessage(),
                    RENEW_EVERY.toSeconds());
        }
    }

    private String conditional(long seq, long term) {
        return "/" + index + "/_doc/" + nodeId + "?if_seq_no=" + seq + "&if_primary_term=" + term;
    }

    private JsonNode get() throws IOException {
        try {
            return Json.MAPPER.readTree(rest.performRequest(new Request("GET", "/" + index + "/_doc/" + nodeId)).getEntity().getContent());
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return null;
            throw e;
        }
    }

    /** Writes this node's lease; false when another write came first (409). */
    private boolean write(String path) throws IOException {
        Instant now = clock.instant();
        holder.put("renewed_at", now.toString());
        holder.put("expires_at", now.plus(ttl).toString());
        Request request = new Request("PUT", path);
        request.setEntity(new NStringEntity(holder.toString(), ContentType.APPLICATION_JSON));
        try {
            JsonNode answer = Json.MAPPER.readTree(rest.performRequest(request).getEntity().getContent());
            seqNo = answer.path("_seq_no").asLong();
            primaryTerm = answer.path("_primary_term").asLong();
            return true;
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 409) return false;
            throw e;
        }
    }

    /** Stops renewing and deletes the lease if it is still this node's, so another node may take the id at once. */
    @Override
    public void close() {
        renewer.shutdownNow();
        synchronized (this) {
            if (lost) return;
            try {
                rest.performRequest(new Request("DELETE", conditional(seqNo, primaryTerm)));
            } catch (Exception e) {
                LOG.warn("could not release the lease of node_id {} in {} ({}): it expires {} s after its last renewal",
                        nodeId, index, e.getMessage(), ttl.toSeconds());
            }
        }
    }

    /** A refusal to start: another live node holds this node id. */
    static final class NodeIdInUseException extends StartRefusal {
        private final String publicMessage;

        NodeIdInUseException(String message, String publicMessage) {
            super(message);
            this.publicMessage = publicMessage;
        }

        /** Without the other node's host, pid and data directory (8081's readiness is public). */
        @Override
        String publicMessage() {
            return publicMessage;
        }
    }
}

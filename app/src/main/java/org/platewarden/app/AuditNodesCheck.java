package org.platewarden.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.PlatewardenConfig;

/**
 * Refuses a search node whose {@code audit_nodes} and the live search nodes' (their leases in
 * {@code <prefix>-nodes}, {@link NodeIdLease}) do not name each other. A node missing from another's
 * list makes that node's verify report its whole chain ({@code records of a node not in audit_nodes}):
 * two nodes' verify then disagree, and the auditor's cron fails on a trail that is whole. Found at
 * start-up, the fix is one line of configuration; found by the cron, a search for what changed.
 */
final class AuditNodesCheck {
    /** More live search nodes than a deployment has; a bound on one read. */
    private static final int MAX_NODES = 1000;

    private AuditNodesCheck() {
    }

    static void require(RestClient rest, PlatewardenConfig config, Clock clock) throws IOException {
        String index = config.indexPrefix() + "-nodes";
        rest.performRequest(new Request("POST", "/" + index + "/_refresh"));
        JsonNode hits = Json.MAPPER.readTree(rest.performRequest(new Request("GET", "/" + index + "/_search?size=" + MAX_NODES))
                .getEntity().getContent()).path("hits").path("hits");
        Set<String> mine = new TreeSet<>(config.auditNodes());
        mine.add(config.nodeId());
        Instant now = clock.instant();
        List<String> unlisted = new ArrayList<>();
        List<String> notListingThis = new ArrayList<>();
        for (JsonNode hit : hits) {
            JsonNode lease = hit.path("_source");
            String other = lease.path("node_id").asText();
            if (other.equals(config.nodeId()) || !Instant.parse(lease.path("expires_at").asText()).isAfter(now)) continue;
            if (!mine.contains(other)) unlisted.add(other);
            boolean listsThis = false;
            for (JsonNode n : lease.path("audit_nodes")) listsThis |= n.asText().equals(config.nodeId());
            if (!listsThis) notListingThis.add(other);
        }
        if (unlisted.isEmpty() && notListingThis.isEmpty()) return;
        List<String> problems = new ArrayList<>();
        if (!unlisted.isEmpty()) {
            problems.add("live search node(s) " + String.join(", ", unlisted) + " are not in this node's audit_nodes " + mine);
        }
        if (!notListingThis.isEmpty()) {
            problems.add("live search node(s) " + String.join(", ", notListingThis) + " do not list this node (" + config.nodeId()
                    + ") in their audit_nodes");
        }
        throw new AuditNodesMismatchException("audit_nodes disagree: " + String.join("; ", problems) + ": each node's verify would"
                + " report the chains its audit_nodes lacks as not in audit_nodes; list every search node in every node's audit_nodes"
                + " (add a new node to the running nodes' first, restarting each, then start it; keep a retired node's id listed:"
                + " its chain stays in the trail)");
    }

    /** A refusal to start: the nodes of the trail are configured differently on this node and a live one. */
    static final class AuditNodesMismatchException extends StartRefusal {
        AuditNodesMismatchException(String message) {
            super(message);
        }
    }
}

package org.platewarden.search.reports;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.ChainHead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transparency report's {@code audit_heads}: each configured node's chain head, an anchor for
 * anyone who keeps a copy ({@code audit verify --anchor}). Anyone who can write to the audit index
 * can add a record, hashed and linked, after a node's real head; taken from the index, that forged
 * record would be published as the node's anchor. So the node answering publishes its own head
 * from its journal — the last record whose line is fsynced ({@link AuditLog#journaledHead}),
 * {@code "source":"journal"} — and the index's heads of the other configured nodes, which it can
 * only read there, {@code "source":"index"}: each node's own report publishes that node's head
 * from its journal. When the index's head of this node is not one this node wrote
 * ({@link AuditLog#mayBeOwnHead}: past its journal, or a second record at its head's seq), the
 * journal's is published all the same, {@code platewarden_audit_index_head_not_journal_total}
 * counts the reports that found it so, and a warning is logged at most once per
 * {@link #WARN_EVERY}; the report does not fail. Computed on one event loop (the report's): not
 * synchronised.
 */
final class PublishedHeads {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedHeads.class);
    static final Duration WARN_EVERY = Duration.ofMinutes(10);
    static final String SOURCE_JOURNAL = "journal";
    static final String SOURCE_INDEX = "index";

    private final String ownNode;
    private final AuditLog ownChain;
    private final Counter notJournal;
    private final Clock clock;
    private Instant warnedAt;
    private long unwarned;

    /** @param registry where the counter goes; null counts nothing (the warning is still logged) */
    PublishedHeads(String ownNode, AuditLog ownChain, MeterRegistry registry, Clock clock) {
        this.ownNode = ownNode;
        this.ownChain = ownChain;
        this.clock = clock;
        this.notJournal = registry == null ? null : Counter.builder("platewarden_audit_index_head_not_journal")
                .description("transparency reports that found this node's head in the audit index past its journal's, or another"
                        + " record at its seq (a record added to the index under this node's id); the journal's head was published")
                .register(registry);
    }

    /**
     * The heads to publish, by node id: of the configured {@code nodes} only (a chain someone added
     * to the index under another id is no anchor of this deployment). {@code indexHeads} were read
     * before this is called, so a head the index shows is compared with a journal at least as new.
     */
    JsonArray of(List<ChainHead> indexHeads, Set<String> nodes) {
        Map<String, JsonObject> heads = new TreeMap<>();
        ChainHead indexOwn = null;
        for (ChainHead h : indexHeads) {
            if (!nodes.contains(h.nodeId())) continue;
            if (h.nodeId().equals(ownNode)) indexOwn = h;
            else heads.put(h.nodeId(), json(h, SOURCE_INDEX));
        }
        ChainHead journaled = ownChain == null ? null : ownChain.journaledHead();
        if (journaled != null) heads.put(ownNode, json(journaled, SOURCE_JOURNAL));
        if (indexOwn != null && (ownChain == null || !ownChain.mayBeOwnHead(indexOwn))) notOwn(indexOwn, journaled);
        JsonArray out = new JsonArray();
        heads.values().forEach(out::add);
        return out;
    }

    /**
     * The configured {@code nodes} that have no head among {@code published} (sorted): no record in
     * the index, nor, for this node, in its journal. {@code audit_heads} keeps only real heads, each
     * an anchor {@code audit verify --anchor} can check.
     */
    static JsonArray nodesWithout(JsonArray published, Set<String> nodes) {
        Set<String> without = new java.util.TreeSet<>(nodes);
        for (Object head : published) without.remove(((JsonObject) head).getString("node_id"));
        return new JsonArray(List.copyOf(without));
    }

    private static JsonObject json(ChainHead head, String source) {
        return new JsonObject(head.toJson().toString()).put("source", source);
    }

    private void notOwn(ChainHead indexOwn, ChainHead journaled) {
        if (notJournal != null) notJournal.increment();
        Instant now = clock.instant();
        if (warnedAt != null && now.isBefore(warnedAt.plus(WARN_EVERY))) {
            unwarned++;
            return;
        }
        LOG.warn("audit index's head of this node {} is seq {} (hash {}), which its journal does not hold as its head ({}): a record"
                        + " added to the index under this node's id, or a second record at its seq; the transparency report publishes"
                        + " the journal's head; run audit verify{}", ownNode, indexOwn.seq(), indexOwn.hash(),
                journaled == null ? "the journal has no record" : "journal head seq " + journaled.seq() + ", hash " + journaled.hash(),
                unwarned > 0 ? " (" + unwarned + " more report(s) found it so since the last warning)" : "");
        warnedAt = now;
        unwarned = 0;
    }
}

package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.platewarden.elasticsearch.ElasticsearchConnection;

/**
 * Recomputes every node's chain from the audit index: pages through it sorted by
 * {@code (node_id, seq, audit_id)} with {@code search_after} (no point-in-time needed: records are
 * only ever appended at the end of a chain; the audit id, unique, so that two records at one seq are
 * both seen even where a page ends between them), and for each record checks, in this order, that its seq is the
 * next one (else "missing record (seq gap)"), that its hash is the hash of its content (else "hash
 * mismatch"), that it is the record the local journal holds at that seq (else "index record
 * differs from the journal's"; past the journal's last record, "in the index but not in the
 * journal"), and that its prev_hash is the previous record's hash (else "broken link"). For this
 * node's chain, a record the journal holds beyond the index's last one is also "missing". The
 * journal's own chain is checked as it is read ({@link JournalCheck}: records edited, lines
 * unreadable or taken out). The walk stops at the first problem in the index; journal problems are
 * listed and the walk goes on, comparing the index with the journal's records past them.
 * Blocking: run it on a worker.
 * <p>
 * Writes in flight during a verify are not reported: a suspected gap is looked for again after a
 * refresh (for up to {@link #SETTLE_MILLIS} ms) before it is called missing, and an index record
 * past the journal's end is looked for again in the journal's tail, re-read from where it ended
 * (at once, and after the walk for up to {@link #SETTLE_MILLIS} ms). Only the journal's next record
 * can be in the index and not yet in the journal: a lone record is indexed while its line is
 * written, and the next one is sealed only once that write returned (a record whose journal write
 * failed is journaled ahead of the next records; see {@link ChainedAuditLog}). Any other index
 * record past the journal's end is "in the index but not in the journal" at once.
 */
public final class AuditVerifier {
    /** How long verify waits for the journal's tail to catch up with an index record, or a line being written, before it reports them. */
    static final int SETTLE_MILLIS = 1000;
    private static final int SETTLE_STEP_MILLIS = 100;

    private final RestClient rest;
    private final String index;
    private final Path journalFile;
    private final String journalNodeId;
    private final int pageSize;
    private final java.util.Set<String> expectedNodes;
    /** each request's: {@link RequestOptions#DEFAULT} (the connection's timeouts) or a bound ({@link #withRequestTimeout}) */
    private final RequestOptions options;

    /** As below, with no list of expected nodes (every chain found is walked, none is flagged for its node). */
    public AuditVerifier(RestClient rest, String auditIndex, Path journalFile, String journalNodeId, int pageSize) {
        this(rest, auditIndex, journalFile, journalNodeId, pageSize, null);
    }

    /**
     * {@code journalFile}: this node's journal, compared with the index; null checks the index alone
     * (another node's chain, or the CLI told so). Absent, it is reported ({@link VerifyResult#NO_JOURNAL})
     * unless nothing should be in it: no record of {@code journalNodeId} in the index, and no other
     * node's journal beside it (a node that has not run its search role on this data dir).
     * {@code expectedNodes} ({@code PlatewardenConfig.expectedAuditNodes}): a chain of any other node is
     * reported ({@link VerifyResult#UNKNOWN_NODE}) — a self-consistent chain someone added to the index
     * would otherwise verify; null checks no node list.
     */
    public AuditVerifier(RestClient rest, String auditIndex, Path journalFile, String journalNodeId, int pageSize,
                         java.util.Set<String> expectedNodes) {
        this(rest, auditIndex, journalFile, journalNodeId, pageSize, expectedNodes, RequestOptions.DEFAULT);
    }

    private AuditVerifier(RestClient rest, String auditIndex, Path journalFile, String journalNodeId, int pageSize,
                          java.util.Set<String> expectedNodes, RequestOptions options) {
        this.options = options;
        this.expectedNodes = expectedNodes;
        this.rest = rest;
        this.index = auditIndex;
        this.journalFile = journalFile;
        this.journalNodeId = journalNodeId;
        this.pageSize = pageSize;
    }

    /**
     * The same verifier, each of whose Elasticsearch requests fails once it has waited
     * {@code timeoutMillis} for a connection or an answer ({@link ElasticsearchConnection#withTimeout}):
     * the search API's ({@code GET /v1/audit/verify}), so a hung cluster fails it closed within that
     * per page instead of after the connection's minute. The CLI's verify keeps the connection's.
     */
    public AuditVerifier withRequestTimeout(int timeoutMillis) {
        return new AuditVerifier(rest, index, journalFile, journalNodeId, pageSize, expectedNodes,
                ElasticsearchConnection.withTimeout(RequestOptions.DEFAULT, timeoutMillis));
    }

    public VerifyResult verify() throws IOException {
        refresh();
        Walk walk = new Walk();
        try {
            VerifyResult.Broken stop = walk.walkIndex();
            if (stop == null) stop = walk.endOfChain();
            if (stop == null) stop = walk.journalChainAbsent();
            if (stop != null) {
                walk.problems.add(stop);
                walk.inFlight = null;
            }
            walk.finishJournal();
            walk.countDeletedChain();
            Absence absence = journalFile == null || Files.exists(journalFile) ? null : absence();
            if (absence != null && absence.problem() != null) walk.problems.add(absence.problem());
            String status = journalFile == null ? VerifyResult.JOURNAL_NOT_CHECKED
                    : absence == null ? null
                    : absence.problem() != null ? VerifyResult.JOURNAL_ABSENT : VerifyResult.JOURNAL_NONE;
            return walk.problems.result(walk.checked).withJournal(status, absence == null ? null : absence.note())
                    .withHeads(List.copyOf(walk.heads.values())).withNodesWithoutRecords(nodesWithoutRecords(walk.seen));
        } finally {
            walk.closeJournal();
        }
    }

    /**
     * Checks one journal file on its own, without Elasticsearch (a backup, an archived copy, the
     * journal of a node that is down): each record's hash, each prev_hash the previous record's
     * hash, seqs dense from 1, lines that are not records (with their line numbers), and anything
     * after the padding. The same checks as {@link #verify} makes of the journal ({@link JournalCheck}),
     * minus the comparison with the index: a record appended or rewritten with a hash computed
     * anew is consistent on its own, and only the index (or another copy) can show it.
     */
    public static VerifyResult verifyJournal(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such journal file");
        java.util.concurrent.atomic.AtomicReference<JournalCheck> reading = new java.util.concurrent.atomic.AtomicReference<>();
        Problems problems = new Problems(() -> reading.get() == null ? 0 : reading.get().records());
        try (JournalCheck journal = new JournalCheck(file, nodeIdOf(file), problems)) {
            reading.set(journal);
            journal.drain();
            journal.reportTail(); // nothing is being written to a file checked on its own
            journal.reportContentAfterEnd();
            return problems.result(journal.records()).withHeads(journal.head() == null ? List.of() : List.of(journal.head()));
        }
    }

    /** The node a journal file is of: its first record's node_id, else what its name says ({@code audit-<node_id>.ndjson}). */
    private static String nodeIdOf(Path file) throws IOException {
        try (AuditJournal.JournalReader reader = AuditJournal.reader(file)) {
            for (AuditJournal.JournalReader.Line line; (line = reader.nextLine()) != null; ) {
                if (line.record() != null && line.record().hasNonNull(AuditDocument.NODE_ID)) return line.record().get(AuditDocument.NODE_ID).asText();
            }
        }
        return file.getFileName().toString().replaceFirst("^audit-", "").replaceFirst("\\.ndjson$", "");
    }

    /**
     * Whether the index holds each anchor's seq with its hash: a chain cut back below an anchor
     * (its newest records removed from both copies, which the chain alone cannot show) or rewritten
     * with hashes computed anew does not. Run after {@link #verify}, which shows whether the index
     * and the journal agree.
     */
    public List<ChainHead.AnchorCheck> checkAnchors(List<ChainHead.Anchor> anchors) throws IOException {
        refresh();
        List<ChainHead.AnchorCheck> checks = new ArrayList<>();
        for (ChainHead.Anchor anchor : anchors) {
            ObjectNode doc = fetchBySeq(anchor.nodeId(), anchor.seq());
            String problem = null;
            if (doc == null) {
                ObjectNode body = ChainHead.searchBody();
                ChainHead head = ChainHead.fromResponse(search(body)).stream().filter(h -> h.nodeId().equals(anchor.nodeId())).findFirst().orElse(null);
                problem = head == null ? "the audit index holds no record of node " + anchor.nodeId()
                        : "the chain of node " + anchor.nodeId() + " ends at seq " + head.seq() + ", below the anchor's seq " + anchor.seq()
                        + ": records removed from its end (or the anchor is not of this trail)";
            } else {
                problem = anchorMismatch(anchor, doc);
            }
            checks.add(new ChainHead.AnchorCheck(anchor, problem == null, problem));
        }
        return checks;
    }

    /** {@link #checkAnchors} against one journal file (checked on its own). */
    public static List<ChainHead.AnchorCheck> checkAnchors(Path journalFile, List<ChainHead.Anchor> anchors) throws IOException {
        java.util.Map<Long, ObjectNode> wanted = new java.util.HashMap<>();
        ChainHead last = null;
        try (AuditJournal.JournalReader reader = AuditJournal.reader(journalFile)) {
            for (AuditJournal.JournalReader.Line line; (line = reader.nextLine()) != null; ) {
                if (line.record() == null) continue;
                long seq = line.record().path(AuditDocument.SEQ).asLong();
                last = ChainHead.of(line.record());
                for (ChainHead.Anchor a : anchors) if (a.seq() == seq) wanted.put(seq, line.record());
            }
        }
        List<ChainHead.AnchorCheck> checks = new ArrayList<>();
        for (ChainHead.Anchor anchor : anchors) {
            ObjectNode doc = wanted.get(anchor.seq());
            String problem;
            if (doc == null) {
                problem = "the journal ends at seq " + (last == null ? 0 : last.seq()) + ", below the anchor's seq " + anchor.seq()
                        + ": records removed from its end (or the anchor is not of this journal)";
            } else if (!doc.path(AuditDocument.NODE_ID).asText().equals(anchor.nodeId())) {
                problem = "the journal is node " + doc.path(AuditDocument.NODE_ID).asText() + "'s, not " + anchor.nodeId() + "'s";
            } else {
                problem = anchorMismatch(anchor, doc);
            }
            checks.add(new ChainHead.AnchorCheck(anchor, problem == null, problem));
        }
        return checks;
    }

    /** Null when the record at the anchor's seq has the anchor's hash, and that hash is its content's. */
    private static String anchorMismatch(ChainHead.Anchor anchor, ObjectNode doc) {
        String hash = doc.path(AuditDocument.HASH).asText();
        if (!hash.equals(anchor.hash())) {
            return "seq " + anchor.seq() + " of node " + anchor.nodeId() + " has hash " + hash + ", not the anchor's: the chain was rewritten at or before it";
        }
        if (!AuditDocument.hashOf(doc).equals(hash)) {
            return "seq " + anchor.seq() + " of node " + anchor.nodeId() + " carries the anchor's hash but its content was edited (hash mismatch)";
        }
        return null;
    }

    /**
     * The expected nodes (and this one) of which the index holds no record: those the walk did not
     * meet (it stops at a problem, so a node it did not reach is looked up on its own). A deleted
     * chain leaves nothing in the index for the walk to find; this is where it shows.
     */
    private List<String> nodesWithoutRecords(java.util.Set<String> seen) throws IOException {
        java.util.Set<String> expected = new java.util.TreeSet<>();
        if (expectedNodes != null) expected.addAll(expectedNodes);
        if (journalNodeId != null) expected.add(journalNodeId);
        List<String> without = new ArrayList<>();
        for (String node : expected) {
            if (!seen.contains(node) && !hasRecordsOf(node)) without.add(node);
        }
        return without;
    }

    /** Why there is no journal to check: a problem when there should be one, else a note. */
    private record Absence(VerifyResult.Broken problem, String note) {
    }

    private Absence absence() throws IOException {
        String expected = journalFile.toAbsolutePath().normalize().toString();
        List<String> found = journalsBeside(journalFile);
        if (!found.isEmpty() || hasRecordsOf(journalNodeId)) {
            return new Absence(VerifyResult.Broken.noJournal(journalNodeId, expected, found), null);
        }
        return new Absence(null, "no journal at " + expected + " and no record of node " + journalNodeId
                + " in the index: its search role has not run on this data dir, so there is nothing to compare");
    }

    /** The names of the journals ({@code audit-*.ndjson}) in the directory {@code journal} would be in. */
    private static List<String> journalsBeside(Path journal) throws IOException {
        Path dir = journal.toAbsolutePath().getParent();
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) return names;
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir, "audit-*.ndjson")) {
            files.forEach(f -> names.add(f.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    private boolean hasRecordsOf(String nodeId) throws IOException {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 1);
        body.put("_source", false);
        body.putObject("query").putObject("term").put(AuditDocument.NODE_ID, nodeId);
        return !search(body).path("hits").path("hits").isEmpty();
    }

    /** The problems found, in the order found (at most {@link VerifyResult#MAX_PROBLEMS}), and how many records verified before the first. */
    static final class Problems {
        private final List<VerifyResult.Broken> found = new ArrayList<>();
        private final LongSupplier checked;
        private long checkedBeforeFirst;

        Problems(LongSupplier checked) {
            this.checked = checked;
        }

        void add(VerifyResult.Broken problem) {
            if (full()) return;
            if (found.isEmpty()) checkedBeforeFirst = checked.getAsLong();
            found.add(problem);
        }

        /** Puts {@code replacement} where {@code problem} was found. */
        void replace(VerifyResult.Broken problem, VerifyResult.Broken replacement) {
            int at = found.indexOf(problem);
            if (at >= 0) found.set(at, replacement);
        }

        boolean full() {
            return found.size() >= VerifyResult.MAX_PROBLEMS;
        }

        VerifyResult result(long checkedInAll) {
            return found.isEmpty() ? new VerifyResult(true, checkedInAll, null, List.of())
                    : new VerifyResult(false, checkedBeforeFirst, found.get(0), found);
        }
    }

    /** The state of the walk through one chain at a time. */
    private final class Walk {
        final Problems problems = new Problems(() -> this.checked);
        long checked;
        String node;
        long expectedSeq;
        String prevHash;
        /** This node's journal, once its chain is walked; finished (read to its end) once. */
        JournalCheck journal;
        boolean journalFinished;
        /** An index record past the journal's end that may still be on its way into the journal. */
        ObjectNode inFlight;
        /** Each chain's last record that verified, by node. */
        final java.util.Map<String, ChainHead> heads = new java.util.TreeMap<>();
        /** This node's chain found deleted from the index whole ({@link VerifyResult#CHAIN_DELETED}), if it was. */
        VerifyResult.Broken chainDeleted;
        /** The nodes of which the walk met a record in the index. */
        final java.util.Set<String> seen = new java.util.HashSet<>();

        /** Walks the index; returns the first problem in it, or null. */
        VerifyResult.Broken walkIndex() throws IOException {
            JsonNode after = null;
            while (!problems.full()) {
                ArrayNode hits = page(after);
                for (JsonNode hit : hits) {
                    VerifyResult.Broken broken = accept((ObjectNode) hit.get("_source"));
                    if (broken != null) return broken;
                }
                if (hits.size() < pageSize) break;
                after = hits.get(hits.size() - 1).get("sort");
            }
            return null;
        }

        VerifyResult.Broken accept(ObjectNode doc) throws IOException {
            String docNode = doc.path(AuditDocument.NODE_ID).asText();
            seen.add(docNode);
            if (!docNode.equals(node)) {
                VerifyResult.Broken broken = endOfChain();
                if (broken != null) return broken;
                if (expectedNodes != null && !expectedNodes.contains(docNode)) {
                    return new VerifyResult.Broken(doc.path(AuditDocument.AUDIT_ID).asText(null), doc.path(AuditDocument.SEQ).asLong(),
                            docNode, VerifyResult.UNKNOWN_NODE).withAgency(agencyNamed(doc));
                }
                startChain(docNode);
            }
            long seq = doc.path(AuditDocument.SEQ).asLong();
            while (seq > expectedSeq) {
                // a gap, unless the record was still in flight when we refreshed
                ObjectNode late = fetchLate(node, expectedSeq);
                if (late == null) return missing(journal == null ? null : journal.at(expectedSeq));
                VerifyResult.Broken broken = check(late);
                if (broken != null) return broken;
            }
            if (seq < expectedSeq) {
                // a second record claiming an already used position: the chain forks here
                return new VerifyResult.Broken(doc.path(AuditDocument.AUDIT_ID).asText(null), seq, node, VerifyResult.BROKEN_LINK)
                        .withAgency(agencyOf(doc));
            }
            return check(doc);
        }

        private VerifyResult.Broken check(ObjectNode doc) throws IOException {
            long seq = doc.path(AuditDocument.SEQ).asLong();
            String auditId = doc.path(AuditDocument.AUDIT_ID).asText(null);
            String hash = doc.path(AuditDocument.HASH).asText();
            if (!AuditDocument.hashOf(doc).equals(hash)) return new VerifyResult.Broken(auditId, seq, node, VerifyResult.HASH_MISMATCH).withAgency(agencyOf(doc));
            if (journal != null) {
                VerifyResult.Broken differs = compareWithJournal(doc);
                if (differs != null) return differs;
            }
            if (!doc.path(AuditDocument.PREV_HASH).asText().equals(prevHash)) {
                return new VerifyResult.Broken(auditId, seq, node, VerifyResult.BROKEN_LINK).withAgency(agencyOf(doc));
            }
            prevHash = hash;
            expectedSeq = seq + 1;
            heads.put(node, ChainHead.of(doc));
            if (inFlight != doc) checked++; // counted once the journal has it
            return null;
        }

        /** Compares an index record with the journal's; null when they agree, or the journal cannot tell (its line there is reported). */
        private VerifyResult.Broken compareWithJournal(ObjectNode doc) throws IOException {
            if (inFlight != null) {
                // a later record is indexed, so the one before is no longer on its way into the journal
                ObjectNode earlier = inFlight;
                inFlight = null;
                VerifyResult.Broken broken = againstJournal(earlier);
                if (broken != null) return broken;
                checked++;
            }
            VerifyResult.Broken broken = againstJournal(doc);
            if (broken != null && broken.problem().equals(VerifyResult.NOT_IN_JOURNAL)
                    && doc.path(AuditDocument.SEQ).asLong() == journal.nextSeq()) {
                inFlight = doc; // the journal's next record: its line may be being written (looked for again at the end)
                return null;
            }
            return broken;
        }

        private VerifyResult.Broken againstJournal(ObjectNode doc) throws IOException {
            long seq = doc.path(AuditDocument.SEQ).asLong();
            String auditId = doc.path(AuditDocument.AUDIT_ID).asText(null);
            JournalCheck.Entry journaled = journal.at(seq);
            if (journaled == null && journal.endsBefore(seq)) {
                journal.reread();
                journaled = journal.at(seq);
            }
            if (journaled == null && journal.endsBefore(seq)) {
                return new VerifyResult.Broken(auditId, seq, node, VerifyResult.NOT_IN_JOURNAL).withAgency(agencyNamed(doc));
            }
            if (journaled != null && journaled.sound() && !journaled.hash().equals(doc.path(AuditDocument.HASH).asText())) {
                return new VerifyResult.Broken(auditId, seq, node, VerifyResult.INDEX_DIFFERS, journaled.line())
                        .withAgency(agreed(agencyNamed(doc), journaled));
            }
            return null;
        }

        void startChain(String nodeId) throws IOException {
            if (journal != null) finishJournal();
            closeJournal();
            node = nodeId;
            expectedSeq = 1;
            prevHash = AuditDocument.GENESIS_HASH;
            if (nodeId.equals(journalNodeId) && journalExists()) journal = new JournalCheck(journalFile, journalNodeId, problems);
        }

        /** The index's chain of this node ends here: anything more in the journal is missing from the index. */
        VerifyResult.Broken endOfChain() throws IOException {
            if (node == null) return null;
            while (journal != null) {
                JournalCheck.Entry next = journal.at(expectedSeq);
                if (next == null) break;
                ObjectNode late = fetchLate(node, expectedSeq);
                if (late == null) return missing(next);
                VerifyResult.Broken broken = check(late);
                if (broken != null) return broken;
            }
            return null;
        }

        /**
         * The journal holds a chain the index has no record of at all: the walk met none of this
         * node's, so the index lacks its record at seq 1 (where the journal has one), and every other.
         */
        VerifyResult.Broken journalChainAbsent() throws IOException {
            if (journal != null || journalFinished || !journalExists()) return null;
            startChain(journalNodeId);
            VerifyResult.Broken broken = endOfChain();
            if (broken == null || !broken.problem().equals(VerifyResult.MISSING) || broken.seq() != 1) return broken;
            chainDeleted = new VerifyResult.Broken(broken.auditId(), 1, node, VerifyResult.CHAIN_DELETED).withAgency(broken.agency());
            return chainDeleted;
        }

        /** Says how many records the journal holds in its chain-deleted problem, once the journal is read to its end. */
        void countDeletedChain() {
            if (chainDeleted != null && journal != null) problems.replace(chainDeleted, chainDeleted.withJournalRecords(journal.records()));
        }

        /**
         * Reads this node's journal to its end, checking it (on its own if the walk stopped before
         * its chain), and gives a record past the journal's end, or a last line that is not a
         * record, up to {@link #SETTLE_MILLIS} to be written before they are reported.
         */
        void finishJournal() throws IOException {
            if (journalFinished || !journalExists()) return;
            journalFinished = true;
            if (journal == null) journal = new JournalCheck(journalFile, journalNodeId, problems);
            for (int waited = 0; ; waited += SETTLE_STEP_MILLIS) {
                if (inFlight != null) {
                    VerifyResult.Broken broken = againstJournal(inFlight);
                    if (broken == null || !broken.problem().equals(VerifyResult.NOT_IN_JOURNAL) || waited >= SETTLE_MILLIS) {
                        inFlight = null;
                        if (broken != null) problems.add(broken);
                        else checked++;
                    }
                }
                journal.drain();
                if ((inFlight == null && !journal.tailUnreadable()) || waited >= SETTLE_MILLIS || problems.full()) break;
                sleep(SETTLE_STEP_MILLIS);
                journal.reread();
            }
            journal.reportTail();
        }

        private boolean journalExists() {
            return journalFile != null && Files.exists(journalFile);
        }

        /** The index lacks the record at the expected seq; the journal's, where it has one, names its audit id and agency. */
        private VerifyResult.Broken missing(JournalCheck.Entry journaled) {
            return journaled == null ? new VerifyResult.Broken(null, expectedSeq, node, VerifyResult.MISSING)
                    : new VerifyResult.Broken(journaled.doc().path(AuditDocument.AUDIT_ID).asText(), expectedSeq, node, VerifyResult.MISSING)
                    .withAgency(agencyNamed(journaled.doc()));
        }

        /**
         * The agency an index record that does not verify is of, for who may see its details
         * ({@link VerifyResult#scopedTo}): its own {@code agency} field — which may itself be what was
         * edited — unless this node's journal holds a record at its seq that names another (or none):
         * then the copies disagree and it is no agency's (null).
         */
        private String agencyOf(ObjectNode doc) throws IOException {
            String named = agencyNamed(doc);
            JournalCheck.Entry journaled = named == null || journal == null ? null : journal.at(doc.path(AuditDocument.SEQ).asLong());
            return journaled == null ? named : agreed(named, journaled);
        }

        void closeJournal() throws IOException {
            if (journal != null) journal.close();
            journal = null;
        }
    }

    /** The agency a record names, null when it names none (an unauthenticated request's, Platewarden's own) or not as text. */
    static String agencyNamed(JsonNode doc) {
        JsonNode agency = doc.get(AuditDocument.AGENCY);
        return agency != null && agency.isTextual() ? agency.asText() : null;
    }

    /** {@code named} if the journal's record names the same agency, else null: copies that disagree are no agency's. */
    private static String agreed(String named, JournalCheck.Entry journaled) {
        return named != null && named.equals(agencyNamed(journaled.doc())) ? named : null;
    }

    private static void sleep(int millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("verify interrupted");
        }
    }

    private ArrayNode page(JsonNode after) throws IOException {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", pageSize);
        body.put("track_total_hits", false);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().put(AuditDocument.NODE_ID, "asc");
        sort.addObject().put(AuditDocument.SEQ, "asc");
        // a tiebreak, so that a second record at a seq (a fork, or one added to the index) is never
        // skipped: search_after past (node_id, seq) alone would step over the other record at the
        // seq a page ends with, and verify would pass with a forged record in the trail
        sort.addObject().put(AuditDocument.AUDIT_ID, "asc");
        if (after != null) body.set("search_after", after);
        return (ArrayNode) search(body).path("hits").path("hits");
    }

    /**
     * The record at a seq the walk did not see, looked for again after a refresh, and for up to
     * {@link #SETTLE_MILLIS} while it is not there: records are indexed concurrently (a later one
     * can be visible first), and a journaled record's index call may not have returned yet.
     */
    private ObjectNode fetchLate(String nodeId, long seq) throws IOException {
        for (int waited = 0; ; waited += SETTLE_STEP_MILLIS) {
            ObjectNode late = fetchBySeq(nodeId, seq);
            if (late != null || waited >= SETTLE_MILLIS) return late;
            sleep(SETTLE_STEP_MILLIS);
        }
    }

    private ObjectNode fetchBySeq(String nodeId, long seq) throws IOException {
        refresh();
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 1);
        ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("term").put(AuditDocument.NODE_ID, nodeId);
        filter.addObject().putObject("term").put(AuditDocument.SEQ, seq);
        JsonNode hits = search(body).path("hits").path("hits");
        return hits.isEmpty() ? null : (ObjectNode) hits.get(0).get("_source");
    }

    private JsonNode search(ObjectNode body) throws IOException {
        Request request = new Request("POST", "/" + index + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.setEntity(new NStringEntity(CanonicalJson.MAPPER.writeValueAsString(body), ContentType.APPLICATION_JSON));
        request.setOptions(options);
        return CanonicalJson.MAPPER.readTree(rest.performRequest(request).getEntity().getContent());
    }

    private void refresh() throws IOException {
        try {
            Request refresh = new Request("POST", "/" + index + "/_refresh");
            refresh.setOptions(options);
            rest.performRequest(refresh);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 404) throw e;
        }
    }
}

package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * Outcome of {@link AuditVerifier#verify}: {@code {"ok":true,"records":n}} or
 * {@code {"ok":false,"records_checked":k,"first_broken":{...},"problems":[{...},...]}} where k
 * counts the records that verified before the first problem, {@code problems} lists every problem
 * found (at most {@link #MAX_PROBLEMS}) in the order found, and {@code first_broken} is the first
 * of them. Each names the copy that is wrong ({@code "copy":"index"} or {@code "journal"}) and, for
 * the journal, the line ({@code journal_line}, from 1). {@code journal} is added when this node's
 * journal was not compared with the index: {@code "missing"} (a problem, {@link #NO_JOURNAL}),
 * {@code "none"} (nothing to compare, with a {@code note} saying why) or {@code "not checked"}.
 * {@code heads} (when every chain verified) holds each chain's last record ({@link ChainHead}): what an
 * auditor notes, to check later with an anchor that nothing was cut from a chain's end.
 * {@code problemsOfOtherAgencies} is -1 in a full answer, else the count of problems left out of an
 * answer scoped to one agency ({@link #scopedTo}). {@code nodesWithoutRecords} ({@code nodes_without_records},
 * only when there is one) names each expected node ({@code audit_nodes} and the verifying node) of
 * which the index holds no record at all: a node that has not searched yet, or one whose whole chain
 * was deleted from the index, which no walk of the index can see. On its own it does not make
 * {@code ok} false (a fresh deployment would not verify); the evidence that the node had records
 * does: its journal ({@link #CHAIN_DELETED}) or an anchor of it ({@code verify --anchor}).
 */
public record VerifyResult(boolean ok, long records, Broken firstBroken, List<Broken> problems, String journal, String note,
                           List<ChainHead> heads, int problemsOfOtherAgencies, List<String> nodesWithoutRecords) {
    /** The index's record is not the hash of its content: edited in the index. */
    public static final String HASH_MISMATCH = "hash mismatch";
    /** The index lacks a record of the chain (the journal's, where it has one, names its audit id). */
    public static final String MISSING = "missing record (seq gap)";
    /**
     * The index holds no record of the verifying node while its journal does: the whole chain was
     * deleted from the index (seq 1, the journal's first audit id). Says "missing record" too: it is
     * the missing-record problem at its widest.
     */
    public static final String CHAIN_DELETED = "missing record (chain deleted from the index: the journal holds records, the index none)";
    /** The index's record does not link to the one before it, or a second record claims its seq. */
    public static final String BROKEN_LINK = "broken link";
    /** A chain of a node not in {@code audit_nodes} (nor this node): forged, or a node missing from the configuration. */
    public static final String UNKNOWN_NODE = "records of a node not in audit_nodes (a chain added to the index, or a node missing from the configuration)";
    /** The index's record is sound on its own but not the one the journal holds at its seq. */
    public static final String INDEX_DIFFERS = "index record differs from the journal's";
    /** The index holds a record past the journal's last one: added to the index, or lost from the journal. */
    public static final String NOT_IN_JOURNAL = "in the index but not in the journal";
    /** The journal's record is not the hash of its content: edited in the journal. */
    public static final String JOURNAL_EDITED = "journal record edited (hash mismatch)";
    /** A journal line before the padding that is not a record (damaged); seq is the one it should hold. */
    public static final String JOURNAL_UNREADABLE = "journal line unreadable";
    /** The journal skips a seq: a line removed from it. */
    public static final String JOURNAL_MISSING = "missing from the journal (seq gap)";
    /** The journal's record does not link to the one before it in the journal (or repeats a seq). */
    public static final String JOURNAL_BROKEN_LINK = "broken link in the journal";
    /** A record in this node's journal whose node_id is another node's: no record of this chain (added to the journal). */
    public static final String JOURNAL_OTHER_NODE = "journal record of another node";

    /**
     * Checking a journal file on its own: lines that are not padding after its end (the first blank
     * line), which readers and start-up never take for records: a line blanked in the middle, or a
     * copy taken while a write was under way that caught a later block and not an earlier one.
     */
    public static final String JOURNAL_AFTER_END = "journal has lines after its end (a blank line)";
    /**
     * The data dir has no journal of the node verify was told about, while the index holds records
     * of that node (or the data dir holds other nodes' journals): a wrong config or data dir, or a
     * journal lost. Not about one record: no seq; names the file expected and the journals found.
     */
    public static final String NO_JOURNAL = "no journal of this node in the data dir";

    /*
     * {@code journal} appears only when this node's journal was not compared with the index (an
     * answer without it, {"ok":true,"records":n}, is the v1 contract, and means it was):
     */
    /** {@code journal}: there should be one and there is not ({@link #NO_JOURNAL}). */
    public static final String JOURNAL_ABSENT = "missing";
    /** {@code journal}: none, and nothing that should be in one: a node that never started its search role here. */
    public static final String JOURNAL_NONE = "none";
    /** {@code journal}: the index alone was checked, as asked. */
    public static final String JOURNAL_NOT_CHECKED = "not checked";

    private static final Set<String> JOURNAL_PROBLEMS = Set.of(JOURNAL_EDITED, JOURNAL_UNREADABLE, JOURNAL_MISSING, JOURNAL_BROKEN_LINK, JOURNAL_AFTER_END,
            JOURNAL_OTHER_NODE, NO_JOURNAL);
    /** Problems listed at most: a journal damaged over a long stretch would otherwise list every line. */
    public static final int MAX_PROBLEMS = 100;

    public VerifyResult {
        problems = problems == null ? List.of() : List.copyOf(problems);
        heads = heads == null ? List.of() : List.copyOf(heads);
        nodesWithoutRecords = nodesWithoutRecords == null ? List.of() : List.copyOf(nodesWithoutRecords);
    }

    public VerifyResult(boolean ok, long records, Broken firstBroken, List<Broken> problems, String journal, String note) {
        this(ok, records, firstBroken, problems, journal, note, List.of());
    }

    /** Unscoped: every problem with its details ({@code problemsOfOtherAgencies} -1: none left out, and not in the JSON). */
    public VerifyResult(boolean ok, long records, Broken firstBroken, List<Broken> problems, String journal, String note, List<ChainHead> heads) {
        this(ok, records, firstBroken, problems, journal, note, heads, -1, List.of());
    }

    /** Without a word on the journal (its {@code journal} and {@code note} left out of the JSON). */
    public VerifyResult(boolean ok, long records, Broken firstBroken, List<Broken> problems) {
        this(ok, records, firstBroken, problems, null, null);
    }

    VerifyResult withJournal(String status, String note) {
        return new VerifyResult(ok, records, firstBroken, problems, status, note, heads, problemsOfOtherAgencies, nodesWithoutRecords);
    }

    /** With each chain's last record (shown only when every chain verified: a head past a break anchors nothing). */
    VerifyResult withHeads(List<ChainHead> chainHeads) {
        return new VerifyResult(ok, records, firstBroken, problems, journal, note, chainHeads, problemsOfOtherAgencies, nodesWithoutRecords);
    }

    /** With the expected nodes of which the index holds no record (sorted). */
    VerifyResult withNodesWithoutRecords(List<String> nodes) {
        return new VerifyResult(ok, records, firstBroken, problems, journal, note, heads, problemsOfOtherAgencies, nodes);
    }

    /**
     * The answer for an auditor who may read only {@code agency}'s records (an auditor not of the
     * oversight agency): {@code ok} and the counts as they are, but of the problems only those of
     * records that name {@code agency} ({@link Broken#agency}), with {@code first_broken} the first of
     * them (null when none is); the others only as a count, {@code problems_of_other_agencies},
     * without their audit ids, seqs or nodes: they would tell another agency's auditor which of that
     * agency's records are in question. A problem whose record names no agency that can be read is
     * another agency's. No heads. An intact trail is answered as it is. {@code nodes_without_records}
     * is kept: the ids of the deployment's own nodes name no record and no agency's data, and a node
     * whose chain is gone concerns every agency's auditor.
     */
    public VerifyResult scopedTo(String agency) {
        if (ok) return new VerifyResult(ok, records, null, List.of(), journal, note, List.of(), -1, nodesWithoutRecords);
        List<Broken> own = problems.stream().filter(p -> agency != null && agency.equals(p.agency())).toList();
        return new VerifyResult(ok, records, own.isEmpty() ? null : own.get(0), own, journal, note, List.of(), problems.size() - own.size(),
                nodesWithoutRecords);
    }

    /** Whether every problem is a missing journal: verify could not check what it was pointed at, and found nothing broken. */
    public boolean onlyJournalAbsent() {
        return !ok && problems.stream().allMatch(p -> p.problem().equals(NO_JOURNAL));
    }

    /**
     * A record that does not verify. {@code auditId} is null where no copy names it (a record
     * missing from both, an unreadable journal line); {@code journalLine} is null where the problem
     * is not about a journal line.
     */
    public record Broken(String auditId, long seq, String nodeId, String problem, Long journalLine, String journalFile,
                         List<String> journalFilesFound, String agency, Long journalRecords) {
        public Broken(String auditId, long seq, String nodeId, String problem) {
            this(auditId, seq, nodeId, problem, null);
        }

        public Broken(String auditId, long seq, String nodeId, String problem, Long journalLine) {
            this(auditId, seq, nodeId, problem, journalLine, null, null, null, null);
        }

        /** {@link #NO_JOURNAL}: the file expected, and the names of the {@code audit-*.ndjson} files beside it. */
        static Broken noJournal(String nodeId, String expected, List<String> found) {
            return new Broken(null, 0, nodeId, NO_JOURNAL, null, expected, List.copyOf(found), null, null);
        }

        /** {@link #CHAIN_DELETED}, with how many records the journal holds: how much of the trail is gone from the index. */
        Broken withJournalRecords(long count) {
            return new Broken(auditId, seq, nodeId, problem, journalLine, journalFile, journalFilesFound, agency, count);
        }

        /**
         * The same problem, said to be of a record of {@code agency}: the {@code agency} the broken record
         * names (null: none, or none that can be read — a record missing, a line unreadable, an
         * unauthenticated request's or Platewarden's own record, copies that disagree). Not in the JSON:
         * it decides who sees the problem's details ({@link #scopedTo}).
         */
        public Broken withAgency(String of) {
            return new Broken(auditId, seq, nodeId, problem, journalLine, journalFile, journalFilesFound, of, journalRecords);
        }

        /** Which copy the problem is in: "journal" or "index". */
        public String copy() {
            return JOURNAL_PROBLEMS.contains(problem) ? "journal" : "index";
        }

        ObjectNode toJson() {
            ObjectNode b = CanonicalJson.MAPPER.createObjectNode();
            if (auditId == null) b.putNull("audit_id");
            else b.put("audit_id", auditId);
            if (seq > 0) b.put("seq", seq); // every record's is; 0: not about one record
            b.put("node_id", nodeId);
            b.put("problem", problem);
            b.put("copy", copy());
            if (journalLine != null) b.put("journal_line", journalLine);
            if (journalFile != null) b.put("journal_file", journalFile);
            if (journalFilesFound != null) journalFilesFound.forEach(b.putArray("journal_files_found")::add);
            if (journalRecords != null) b.put("journal_records", journalRecords);
            return b;
        }
    }

    public ObjectNode toJson() {
        ObjectNode json = CanonicalJson.MAPPER.createObjectNode();
        json.put("ok", ok);
        if (ok) {
            json.put("records", records);
        } else {
            json.put("records_checked", records);
        }
        if (journal != null) json.put("journal", journal);
        if (note != null) json.put("note", note);
        if (!nodesWithoutRecords.isEmpty()) {
            // invisible to the walk of the index: said in every answer, ok or not
            ArrayNode n = json.putArray("nodes_without_records");
            nodesWithoutRecords.forEach(n::add);
        }
        if (ok && !heads.isEmpty()) {
            // what an auditor notes to check later that nothing was cut from a chain's end: verify --anchor
            ArrayNode h = json.putArray("heads");
            heads.forEach(head -> h.add(head.toJson()));
        }
        if (!ok) {
            // null only in an answer scoped to an agency none of whose records is broken
            if (firstBroken == null) json.putNull("first_broken");
            else json.set("first_broken", firstBroken.toJson());
            ArrayNode all = json.putArray("problems");
            problems.forEach(p -> all.add(p.toJson()));
            if (problemsOfOtherAgencies >= 0) json.put("problems_of_other_agencies", problemsOfOtherAgencies);
        }
        return json;
    }
}

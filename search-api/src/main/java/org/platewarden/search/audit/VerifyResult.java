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
 * the journal, the line ({@code journal_line}, from 1).
 */
public record VerifyResult(boolean ok, long records, Broken firstBroken, List<Broken> problems) {
    /** The index's record is not the hash of its content: edited in the index. */
    public static final String HASH_MISMATCH = "hash mismatch";
    /** The index lacks a record of the chain (the journal's, where it has one, names its audit id). */
    public static final String MISSING = "missing record (seq gap)";
    /** The index's record does not link to the one before it, or a second record claims its seq. */
    public static final String BROKEN_LINK = "broken link";
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

    private static final Set<String> JOURNAL_PROBLEMS = Set.of(JOURNAL_EDITED, JOURNAL_UNREADABLE, JOURNAL_MISSING, JOURNAL_BROKEN_LINK);
    /** Problems listed at most: a journal damaged over a long stretch would otherwise list every line. */
    public static final int MAX_PROBLEMS = 100;

    public VerifyResult {
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /**
     * A record that does not verify. {@code auditId} is null where no copy names it (a record
     * missing from both, an unreadable journal line); {@code journalLine} is null where the problem
     * is not about a journal line.
     */
    public record Broken(String auditId, long seq, String nodeId, String problem, Long journalLine) {
        public Broken(String auditId, long seq, String nodeId, String problem) {
            this(auditId, seq, nodeId, problem, null);
        }

        /** Which copy the problem is in: "journal" or "index". */
        public String copy() {
            return JOURNAL_PROBLEMS.contains(problem) ? "journal" : "index";
        }

        ObjectNode toJson() {
            ObjectNode b = CanonicalJson.MAPPER.createObjectNode();
            if (auditId == null) b.putNull("audit_id");
            else b.put("audit_id", auditId);
            b.put("seq", seq);
            b.put("node_id", nodeId);
            b.put("problem", problem);
            b.put("copy", copy());
            if (journalLine != null) b.put("journal_line", journalLine);
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
            json.set("first_broken", firstBroken.toJson());
            ArrayNode all = json.putArray("problems");
            problems.forEach(p -> all.add(p.toJson()));
        }
        return json;
    }
}

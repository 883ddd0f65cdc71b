package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Outcome of {@link AuditVerifier#verify}: {@code {"ok":true,"records":n}} or
 * {@code {"ok":false,"records_checked":k,"first_broken":{...}}} where k counts the records that
 * verified before the first broken one.
 */
public record VerifyResult(boolean ok, long records, Broken firstBroken) {
    public static final String HASH_MISMATCH = "hash mismatch";
    public static final String MISSING = "missing record (seq gap)";
    public static final String BROKEN_LINK = "broken link";

    /** The first record that does not verify. {@code auditId} is null for a missing record the journal does not know. */
    public record Broken(String auditId, long seq, String nodeId, String problem) {
    }

    public ObjectNode toJson() {
        ObjectNode json = CanonicalJson.MAPPER.createObjectNode();
        json.put("ok", ok);
        if (ok) {
            json.put("records", records);
        } else {
            json.put("records_checked", records);
            ObjectNode b = json.putObject("first_broken");
            if (firstBroken.auditId() == null) b.putNull("audit_id");
            else b.put("audit_id", firstBroken.auditId());
            b.put("seq", firstBroken.seq());
            b.put("node_id", firstBroken.nodeId());
            b.put("problem", firstBroken.problem());
        }
        return json;
    }
}

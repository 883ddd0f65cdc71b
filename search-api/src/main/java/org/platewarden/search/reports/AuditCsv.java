package org.platewarden.search.reports;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.platewarden.search.audit.AuditDocument;

/**
 * Audit records as CSV (RFC 4180): a header row, CRLF line ends, a field quoted when it holds a
 * comma, quote or line break (quotes doubled). Multi-valued fields are joined with ';'. A text
 * field starting with = + - @, a tab or a carriage return (OWASP) is prefixed with ' so a spreadsheet does not run it as a formula
 * (user-supplied text such as case numbers ends up here).
 */
public final class AuditCsv {
    public static final List<String> COLUMNS = List.of(AuditDocument.AT, AuditDocument.AUDIT_ID, AuditDocument.NODE_ID,
            AuditDocument.SEQ, AuditDocument.ACTION, AuditDocument.OUTCOME, AuditDocument.STATUS, AuditDocument.USER,
            AuditDocument.AGENCY, AuditDocument.ROLES, AuditDocument.PURPOSE, AuditDocument.CASE_NUMBER,
            AuditDocument.CLIENT_ADDRESS, AuditDocument.REASON, AuditDocument.HIT_COUNT, AuditDocument.READ_IDS,
            AuditDocument.QUERY_TEXT, AuditDocument.PREV_HASH, AuditDocument.HASH,
            // last, so a reader of the columns before it by position reads them as before; empty but on summaries
            AuditDocument.REQUEST_COUNT, AuditDocument.AUTH_METHOD, AuditDocument.PROXY_ADDRESS,
            AuditDocument.WINDOW_FROM, AuditDocument.WINDOW_TO, AuditDocument.PAGE_LIMIT);

    private AuditCsv() {
    }

    public static String render(List<JsonObject> records) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", COLUMNS)).append("\r\n");
        for (JsonObject r : records) {
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (i > 0) out.append(',');
                out.append(field(r.getValue(COLUMNS.get(i))));
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    static String field(Object value) {
        if (value == null) return "";
        if (value instanceof Number || value instanceof Boolean) return value.toString();
        String text;
        if (value instanceof JsonArray array) {
            StringBuilder joined = new StringBuilder();
            for (Object v : array) {
                if (!joined.isEmpty()) joined.append(';');
                joined.append(v);
            }
            text = joined.toString();
        } else {
            text = value.toString();
        }
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) text = "'" + text;
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}

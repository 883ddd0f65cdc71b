package org.platewarden.search.reports;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditCsvTest {
    @Test
    void cellsASpreadsheetWouldRunAreNeutralised() {
        String csv = AuditCsv.render(List.of(
                new JsonObject().put("case_number", "\t=HYPERLINK(1)").put("purpose", "\r+1").put("user", "@sum").put("reason", "plain")));
        String row = csv.split("\r\n", 2)[1];
        assertTrue(row.contains("'\t=HYPERLINK(1)"), row);
        assertTrue(row.contains("\"'\r+1\""), row + ": a carriage return is also a line break, so the cell is quoted too");
        assertTrue(row.contains("'@sum"), row);
        assertTrue(row.contains(",plain,"), row);
    }
}

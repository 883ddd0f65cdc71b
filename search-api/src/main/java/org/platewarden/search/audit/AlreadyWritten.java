package org.platewarden.search.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which saved tallies ({@link RecordBudget#unwritten}, read back at start) the trail already has a
 * summary record of: a save runs every tick or two, so a summary written between the last save and a
 * crash is still in the file. Its id is in the audit index then (the index's {@code _id} is the
 * record's audit id, and the audit log's start-up recovery has re-sent every journaled record the
 * index lacked before this is asked), and it must not be written again: the index would refuse the
 * second create of that id, leaving a journaled record the index does not have, and the requests
 * would be counted twice.
 *
 * <p><b>A record with fewer requests than the saved tally cannot be.</b> The record has all of its
 * id's counts: a tally is handed over to be written only once no current tally shares its id (the
 * window that took the id has closed and merged into it), and while it is being written a key's new
 * requests are told another id ({@link RecordBudget}'s id rules); a write that left no record is put
 * back and may be joined by more requests of that id, but then there is no record of it to find, and
 * one that reached the trail is settled as written, never joined again. A save only ever holds a part
 * of an id's final counts or all of them, so the record has as many requests as the saved tally or
 * more (those counted after the save). Were it to have fewer (a journal or index restored from an
 * older backup, a bug), the saved tally is still dropped — a second record of the id cannot be written,
 * and a record under another id would name requests whose answers named none — and the difference is
 * reported ({@link Split#shortfalls}) for the log to say, with the id, so that it is not silent.
 */
public final class AlreadyWritten {
    private AlreadyWritten() {
    }

    /**
     * The saved tallies split by whether the trail has a record of their id; {@code recorded} maps
     * the ids found to the record's {@code request_count}.
     */
    public static <K> Split<K> split(List<RecordBudget.Summary<K>> saved, Map<String, Long> recorded) {
        List<RecordBudget.Summary<K>> unwritten = new ArrayList<>();
        List<RecordBudget.Summary<K>> written = new ArrayList<>();
        List<String> shortfalls = new ArrayList<>();
        for (RecordBudget.Summary<K> t : saved) {
            Long count = recorded.get(t.auditId());
            if (count == null) {
                unwritten.add(t);
                continue;
            }
            written.add(t);
            if (count < t.requests()) {
                shortfalls.add(t.auditId() + " (recorded " + count + " request(s), saved " + t.requests() + ")");
            }
        }
        return new Split<>(unwritten, written, shortfalls);
    }

    /**
     * @param unwritten  the tallies to hand back to the budget
     * @param written    those the trail has a record of, dropped
     * @param shortfalls those of them whose record counts fewer requests than the saved tally (see the class comment)
     */
    public record Split<K>(List<RecordBudget.Summary<K>> unwritten, List<RecordBudget.Summary<K>> written, List<String> shortfalls) {
        public long requests(List<RecordBudget.Summary<K>> tallies) {
            return tallies.stream().mapToLong(RecordBudget.Summary::requests).sum();
        }
    }
}

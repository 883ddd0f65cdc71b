package org.platewarden.app;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.platewarden.core.read.DateTimeField;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.holds.HoldForbiddenException;
import org.platewarden.indexer.holds.HoldMayExistException;
import org.platewarden.indexer.holds.HoldNotFoundException;
import org.platewarden.indexer.holds.HoldRequest;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.search.api.HoldsApi;
import org.platewarden.search.api.MayHaveBeenMadeException;
import org.platewarden.search.auth.ForbiddenException;
import org.platewarden.search.auth.Principal;
import org.platewarden.search.query.SearchRequestParser;

/** The search API's holds endpoints backed by the indexer's {@link HoldService} (which runs on its own pool). */
final class IndexerHoldsApi implements HoldsApi {
    private final HoldService holds;
    private final Context context;
    private final java.util.function.Predicate<String> oversight;
    private final int recordedReadIds;

    /** @param oversight whether an agency oversees the system ({@code agencies[].oversight}): its auditors list every agency's holds */
    IndexerHoldsApi(HoldService holds, Context context, java.util.function.Predicate<String> oversight) {
        this(holds, context, oversight, MAX_RELEASE_READ_IDS);
    }

    /** @param recordedReadIds how many read ids a hold's records name at most (tests use a small cap) */
    IndexerHoldsApi(HoldService holds, Context context, java.util.function.Predicate<String> oversight, int recordedReadIds) {
        this.holds = holds;
        this.context = context;
        this.oversight = oversight;
        this.recordedReadIds = recordedReadIds;
    }

    @Override
    public void check(Principal principal, JsonObject request) {
        try {
            holds.check(principal.agency(), principal.user(), holdRequest(request));
        } catch (HoldForbiddenException e) {
            throw new ForbiddenException(e.getMessage());
        }
    }

    @Override
    public String newHoldId() {
        return HoldService.newHoldId();
    }

    @Override
    public Future<Created> create(Principal principal, String holdId, JsonObject request) {
        HoldRequest req;
        try {
            req = holdRequest(request);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return adapt(holds.createKeeping(holdId, principal.agency(), principal.user(), req, recordedReadIds))
                .map(created -> new Created(withState(created.hold()), created.held().count(), created.held().readIds()));
    }

    @Override
    public Future<Void> checkMatches(Principal principal, JsonObject request) {
        try {
            return adapt(holds.checkMatches(principal.agency(), principal.user(), holdRequest(request)));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * An auditor of the oversight agency lists every agency's holds, any other caller its own
     * agency's (read-only for auditors: changes stay with each agency's supervisors).
     */
    @Override
    public Future<JsonArray> list(Principal principal) {
        boolean everyAgency = principal.hasRole("auditor") && oversight.test(principal.agency());
        return adapt(everyAgency ? holds.listAll() : holds.list(principal.agency()))
                .map(list -> new JsonArray(list.stream().map(h -> (Object) withState(h)).toList()));
    }

    /** The hold as answered: its definition plus its {@code state} now ({@link Hold#state}). */
    private JsonObject withState(Hold hold) {
        return Json.object(hold).put("state", hold.state(holds.clock().instant()));
    }

    @Override
    public Future<JsonObject> find(Principal principal, String holdId) {
        return adapt(holds.find(holdId, principal.agency())).map(this::withState);
    }

    @Override
    public Future<JsonObject> heldReads(Principal principal, String holdId) {
        return adapt(holds.heldReads(holdId, principal.agency(), recordedReadIds))
                .map(held -> new JsonObject().put("count", held.count()).put("read_ids", new JsonArray(held.readIds())));
    }

    @Override
    public Future<JsonObject> release(Principal principal, String holdId) {
        return adapt(holds.release(holdId, principal.agency(), principal.user())).map(this::withState);
    }

    @Override
    public Future<JsonObject> checkExtension(Principal principal, String holdId, JsonObject request) {
        try {
            Instant until = extensionUntil(request);
            return adapt(holds.checkExtension(holdId, principal.agency(), until)).map(this::withState);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }

    @Override
    public Future<JsonObject> extend(Principal principal, String holdId, JsonObject request) {
        try {
            Instant until = extensionUntil(request);
            return adapt(holds.extend(holdId, principal.agency(), principal.user(), until)).map(this::withState);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }

    private static final java.util.Set<String> EXTENSION_FIELDS = java.util.Set.of("purpose", "reason", "until");

    /** The new until of an extension request (null when absent); an unknown field or a malformed date is an IllegalArgumentException (400). */
    static Instant extensionUntil(JsonObject request) {
        for (String field : request.fieldNames()) {
            if (!EXTENSION_FIELDS.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "': an extension takes " + new java.util.TreeSet<>(EXTENSION_FIELDS));
            }
        }
        Object until = request.getValue("until");
        return until == null ? null : DateTimeField.parse("until", until);
    }

    /** The date-time fields of a hold's creation: read as a search's from and to are ({@link DateTimeField}). */
    private static final List<String> DATE_TIME_FIELDS = List.of("from", "to", "until");

    private static final java.util.Set<String> CREATION_FIELDS =
            java.util.Set.of("purpose", "case_number", "reason", "plate", "read_ids", "from", "to", "until");
    private static final List<String> TEXT_FIELDS = List.of("case_number", "reason", "plate");

    /**
     * The body as a hold request; an unknown field, a value of the wrong type or a malformed date is
     * an IllegalArgumentException (400). Fields and types are checked here, in the words a search's
     * are refused with, rather than left to Jackson: its refusals named Java classes
     * ({@code Unrecognized field "x" (class org.platewarden.indexer.holds.HoldRequest) …}), and it
     * took a number for a plate or a read id ({@code "plate":123} held plate 123).
     */
    static HoldRequest holdRequest(JsonObject request) {
        for (String field : request.fieldNames()) {
            if (!CREATION_FIELDS.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'" + SearchRequestParser.hint(field, CREATION_FIELDS));
            }
        }
        for (String field : TEXT_FIELDS) {
            Object value = request.getValue(field);
            if (value != null && !(value instanceof String)) throw new IllegalArgumentException(field + " must be a string");
        }
        Object readIds = request.getValue("read_ids");
        if (readIds != null && !(readIds instanceof JsonArray ids && ids.stream().allMatch(id -> id == null || id instanceof String))) {
            throw new IllegalArgumentException("read_ids must be an array of read ids (strings)");
        }
        JsonObject fields = request.copy();
        // purpose is the server's business (checked and audited there); the hold itself keeps case and reason
        fields.remove("purpose");
        // the grammar of a read's captured_at, not Jackson's (which takes epoch numbers and java.time's wider forms):
        // each is handed on as the instant it denotes
        for (String field : DATE_TIME_FIELDS) {
            Object value = fields.getValue(field);
            if (value != null) fields.put(field, DateTimeField.parse(field, value).toString());
        }
        return Json.read(fields, HoldRequest.class);
    }

    private <T> Future<T> adapt(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context).recover(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof HoldNotFoundException) return Future.failedFuture(new NoSuchElementException(cause.getMessage()));
            if (cause instanceof HoldForbiddenException) return Future.failedFuture(new ForbiddenException(cause.getMessage()));
            if (cause instanceof HoldMayExistException mayExist) {
                return Future.failedFuture(new MayHaveBeenMadeException(mayExist.getMessage(), mayExist.getCause()));
            }
            return Future.failedFuture(cause);
        });
    }
}

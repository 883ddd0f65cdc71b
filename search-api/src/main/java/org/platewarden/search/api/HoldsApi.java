package org.platewarden.search.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.platewarden.search.auth.Principal;

/**
 * The holds endpoints' view of the indexer's hold service. The server has already authenticated a
 * supervisor and checked that a create request names an allowed purpose and a case number.
 * Changes are recorded in the audit trail before they are made, so the server first asks
 * everything it can without making them ({@link #check}, {@link #find}): a request refused there
 * leaves one record, not an "allowed" one followed by its failure. Implementations must not block
 * the event loop (run a blocking hold service on a bounded worker pool), and must bound each of
 * their Elasticsearch calls ({@code search.es_request_timeout_ms}). Failures:
 * {@link IllegalArgumentException} → 400, {@link java.util.NoSuchElementException} → 404, Elasticsearch
 * unavailable — not reachable, not answering in time, the connection broken (the client's exception
 * among the causes: {@link ElasticsearchFailure}) → 503, for a change already recorded one that may
 * have been made unless the request was never sent; {@link MayHaveBeenMadeException} to say more of
 * such a change (a hold that may exist) — anything else → 500.
 */
public interface HoldsApi {
    /**
     * Throws {@link IllegalArgumentException} for a create request the hold service would refuse
     * without looking at any read (missing reason or until, until in the past, …). Called on the
     * event loop: must neither block nor call Elasticsearch.
     */
    void check(Principal principal, JsonObject request);

    /** A fresh id for {@link #create}, so the creation's audit record can name the hold before it exists. */
    String newHoldId();

    /**
     * Creates hold {@code holdId} for the principal's agency from the request body; returns the stored
     * hold (answered with 201) and what it keeps: the number of its copies and the read ids of at most
     * {@link #MAX_RELEASE_READ_IDS} of them (by read id), which the creation's {@code hold_copy} record names.
     */
    Future<Created> create(Principal principal, String holdId, JsonObject request);

    /** A hold just created ({@code hold}, as answered) and what it keeps: {@code count} copies, {@code readIds} the first of them by read id. */
    record Created(JsonObject hold, long count, java.util.List<String> readIds) {
    }

    /**
     * What only the reads can tell about a create request (too many matches, read ids not found),
     * without changing anything; fails as {@link #create} would. Called before the creation is
     * recorded, so such a refusal is one "invalid" record.
     */
    Future<Void> checkMatches(Principal principal, JsonObject request);

    /**
     * The holds of the principal's agency; every agency's for an auditor. Each with its
     * {@code state}: {@code active}, {@code expired, release pending} (its until passed, the
     * release pass has not run yet) or {@code released}.
     */
    Future<JsonArray> list(Principal principal);

    /** A hold of the principal's agency, released or not; an unknown or foreign hold fails with NoSuchElementException. */
    Future<JsonObject> find(Principal principal, String holdId);

    /**
     * What releasing a hold of the principal's agency would delete: {@code {"count":n,"read_ids":[…]}},
     * the number of its held copies and the read ids of at most {@link #MAX_RELEASE_READ_IDS} of them
     * (by read id); fails as {@link #find} for an unknown or foreign hold.
     */
    Future<JsonObject> heldReads(Principal principal, String holdId);

    /** Read ids a release's or a creation's {@code hold_copy} record lists at most (a record is one journal line, at most 1 MiB). */
    int MAX_RELEASE_READ_IDS = 10_000;

    /**
     * What a hold's record says when its {@code read_ids} list fewer of the hold's reads than it has,
     * e.g. {@code read_ids lists the first 10000 of the 12000 held reads (by read id)}; null when they
     * list them all.
     */
    static String readIdsNote(long heldCount, int listed) {
        return heldCount > listed ? "read_ids lists the first " + listed + " of the " + heldCount + " held reads (by read id)" : null;
    }

    /** Releases a hold of the principal's agency; returns the released hold. */
    Future<JsonObject> release(Principal principal, String holdId);

    /**
     * The principal's hold {@code holdId} if {@link #extend} would extend it as the request asks
     * ({@code until}, plus {@code purpose} and {@code reason}, which the server checks); fails as
     * that would — NoSuchElementException for an unknown or foreign hold, IllegalArgumentException
     * for a released or ended hold, an {@code until} not later than the hold's or beyond the
     * longest hold — without changing anything.
     */
    Future<JsonObject> checkExtension(Principal principal, String holdId, JsonObject request);

    /** Moves the {@code until} of a hold of the principal's agency later; returns the extended hold. */
    Future<JsonObject> extend(Principal principal, String holdId, JsonObject request);
}

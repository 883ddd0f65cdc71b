package org.platewarden.indexer.holds;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.indexer.BoundedWorker;
import org.platewarden.indexer.EsRest;

/**
 * Legal holds. {@link #create} copies the matching reads the agency may see from the daily indices
 * into {@code <prefix>-holds} (one document per held read, id {@code holdId:read_id}, the read plus
 * a {@code hold} object), so they outlive the daily index's deletion; the hold's own definition is
 * one document in {@code <prefix>-holds-meta} (id = hold id, only a {@code hold} object; same
 * template, {@code <prefix>-holds*}, no lifecycle). A hold lasts at most {@code hold_max_days} from its
 * creation or its latest extension ({@link #extend}): a hold is for an investigation that is still
 * going on, renewed on the record while it needs the reads, not a way to keep them for ever.
 * Release is explicit: it records
 * {@code released_at}/{@code released_by} on the definition and deletes the copies; the definition
 * stays as the record that the hold existed. The automatic release of an ended hold is claimed first
 * ({@link #claimRelease}, {@code hold.release_claim} on the definition), so that of several search
 * nodes one records and makes it.
 * <p>
 * Every method returns a future completed on an owned, bounded pool (Elasticsearch calls block);
 * a saturated pool fails the future with {@link java.util.concurrent.RejectedExecutionException} (HTTP 503).
 * Each Elasticsearch call waits at most the service's request timeout (the search node's
 * {@code search.es_request_timeout_ms}); one that waits longer fails the future with
 * {@link EsRest.EsTimeoutException} — a change that failed so may have been made, in part or in full (a
 * creation whose definition's write went unanswered reads it back before deleting its copies, and, found
 * missing, marks the creation failed in its place ({@link #CREATION_FAILED_USER}) so that the write
 * cannot land later; it keeps them when it cannot tell: {@link HoldMayExistException}). Refusals
 * fail it with {@link IllegalArgumentException} (400) and an unknown or foreign hold with
 * {@link HoldNotFoundException} (404). Auditing is the HTTP layer's job.
 * <p>
 * This class is the facade its callers use: it owns the pool, submits each call to it, and hands it
 * to the class that does that one job, each a blocking, package-private class —
 * {@link HoldRules} (refusals without Elasticsearch), {@link HoldMatching} (which reads a request
 * would copy), {@link HoldCreation}, {@link HoldQueries} (find, list, held reads),
 * {@link HoldExtension}, {@link HoldRelease}, {@link EndedHolds} (ended holds and the claims on their
 * release), {@link LeftoverCopies}; they share {@link HoldDefinitions}, {@link HeldCopies},
 * {@link HoldIndices}, {@link HoldDocuments} and one {@link HoldChangeLocks}.
 */
public final class HoldService implements AutoCloseable {
    /** a hold is for one investigation, not a way around retention */
    public static final int MAX_READS_PER_HOLD = 100_000;
    public static final int MAX_READ_IDS = 10_000;
    /** Reads or copies per search page and per bulk, when a hold's reads are copied, counted, updated or deleted. */
    static final int PAGE = 1000;
    /** How many holds a list, the ended holds or one leftover pass looks at. */
    static final int MAX_LISTED = 1000;
    private static final String HOLD_ID_PREFIX = "hold-";

    /** Who a hold released because its until date passed was released by. */
    public static final String EXPIRY_USER = "platewarden:until-passed";

    /** Who a hold whose creation is known to have failed is listed as released by ({@link HoldCreation}). */
    public static final String CREATION_FAILED_USER = "platewarden:creation-failed";

    /**
     * How long a node's claim on the automatic release of an ended hold ({@link #claimRelease})
     * keeps other nodes from it: a node that claimed a release and died before making it leaves the
     * claim behind, and another node's pass takes the release over once this much has passed since
     * the claim. Far longer than a release takes (its record, then at most
     * {@link #MAX_READS_PER_HOLD} copies deleted in pages of 1 000), far shorter than the hourly pass.
     */
    public static final java.time.Duration RELEASE_CLAIM_TTL = java.time.Duration.ofMinutes(10);

    /**
     * How long held copies may exist without their hold's definition before they count as orphans:
     * a creation copies the reads first and writes the definition last, so copies without one are
     * normal for the seconds a creation takes; a creation that failed part-way (its clean-up failed, or
     * it kept the copies because it could not tell whether the definition was written) leaves copies
     * that nothing refers to. Searches never return them (they show a copy only while its hold's
     * definition is in force: the search API's {@code LiveHolds}); the release pass frees their storage.
     */
    public static final java.time.Duration ORPHAN_GRACE = java.time.Duration.ofHours(1);

    private final HoldIndices indices;
    private final AgencyScope scope;
    private final Clock clock;
    private final BoundedWorker worker;
    private final HoldRules rules;
    private final HoldMatching matching;
    private final HoldCreation creation;
    private final HoldQueries queries;
    private final HoldExtension extension;
    private final HoldRelease release;
    private final EndedHolds ended;
    private final LeftoverCopies leftovers;

    /** Each Elasticsearch call waiting as long as the connection's default allows (a minute). */
    public HoldService(RestClient rest, String prefix, AgencyScope scope, int retentionDays, int holdMaxDays, Clock clock) {
        this(rest, prefix, scope, retentionDays, holdMaxDays, clock, null);
    }

    /**
     * @param requestTimeout how long each Elasticsearch call waits for a connection and an answer
     *                       before the operation fails; null: the connection's default
     */
    public HoldService(RestClient rest, String prefix, AgencyScope scope, int retentionDays, int holdMaxDays, Clock clock,
                       java.time.Duration requestTimeout) {
        EsRest es = new EsRest(rest, requestTimeout);
        this.indices = HoldIndices.of(prefix);
        this.scope = scope;
        this.clock = clock;
        this.worker = new BoundedWorker("holds-" + prefix, 2, 32);
        // one set of change locks for every class that changes a hold's copies, so they take turns
        HoldChangeLocks locks = new HoldChangeLocks();
        HoldDefinitions definitions = new HoldDefinitions(es, indices);
        HeldCopies copies = new HeldCopies(es, indices);
        this.rules = new HoldRules(holdMaxDays);
        this.matching = new HoldMatching(es, indices, scope, rules, retentionDays);
        this.creation = new HoldCreation(es, indices, matching, copies, clock);
        this.queries = new HoldQueries(es, indices, definitions, copies);
        this.extension = new HoldExtension(definitions, copies, rules, locks, clock);
        this.release = new HoldRelease(definitions, copies, locks, clock);
        this.ended = new EndedHolds(es, indices, definitions, clock);
        this.leftovers = new LeftoverCopies(es, indices, copies, locks, clock);
    }

    public String holdsIndex() {
        return indices.holds();
    }

    public String metaIndex() {
        return indices.meta();
    }

    public CompletableFuture<Hold> create(String agency, String user, HoldRequest req) {
        return create(newHoldId(), agency, user, req);
    }

    /**
     * Creates the hold under an id the caller chose ({@link #newHoldId}), so the caller can name the
     * hold in its audit record before the hold exists. Checks the request again ({@link #check}) and
     * then what only Elasticsearch can tell (at most {@link #MAX_READS_PER_HOLD} matching reads).
     */
    public CompletableFuture<Hold> create(String holdId, String agency, String user, HoldRequest req) {
        return createKeeping(holdId, agency, user, req, 0).thenApply(Created::hold);
    }

    /**
     * {@link #create(String, String, String, HoldRequest)}, answering also what the hold keeps — the
     * number of its copies and the read ids of the first {@code maxReadIds} of them by read id, taken
     * while they are copied — so the caller can put the evidence a hold preserved on the record
     * without asking the holds index again.
     */
    public CompletableFuture<Created> createKeeping(String holdId, String agency, String user, HoldRequest req, int maxReadIds) {
        if (holdId == null || !holdId.startsWith(HOLD_ID_PREFIX)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("hold id must come from newHoldId(): " + holdId));
        }
        return worker.submit(() -> creation.create(holdId, agency, user, req, maxReadIds));
    }

    /** A hold just created and what it keeps ({@link #createKeeping}). */
    public record Created(Hold hold, HeldReads held) {
    }

    /** A fresh hold id, for {@link #create(String, String, String, HoldRequest)}. */
    public static String newHoldId() {
        return HOLD_ID_PREFIX + UUID.randomUUID();
    }

    /**
     * Everything about a create request that can be refused without Elasticsearch, with the
     * {@link IllegalArgumentException} {@link #create} would fail with. Does not block: the HTTP layer
     * calls it on the event loop, before it records the creation, so that a request refused here
     * leaves one "invalid" record instead of an "allowed" one followed by its failure.
     */
    public void check(String agency, String user, HoldRequest req) {
        rules.validate(agency, user, req, scope.visibleAgencies(agency), clock.instant());
    }

    /**
     * Everything {@link #create} checks with Elasticsearch, without changing anything: at most
     * {@link #MAX_READS_PER_HOLD} matching reads, and every read id found. The HTTP layer calls it
     * before it records the creation, so a hold refused here leaves one "invalid" record, not an
     * "allowed" one followed by its failure. {@link #create} checks again (the reads may change).
     */
    public CompletableFuture<Void> checkMatches(String agency, String user, HoldRequest req) {
        return worker.submit(() -> {
            matching.matches(agency, user, req, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            return null;
        });
    }

    /**
     * The agency's hold {@code holdId}, released or not; fails with {@link HoldNotFoundException}
     * for an unknown hold or another agency's, as {@link #release} would.
     */
    public CompletableFuture<Hold> find(String holdId, String agency) {
        return worker.submit(() -> queries.find(holdId, agency));
    }

    /** The agency's holds: those in force (active or awaiting release) newest first, then released ones, most recently released first; at most 1000. */
    public CompletableFuture<List<Hold>> list(String agency) {
        return worker.submit(() -> queries.list(agency));
    }

    /**
     * Every agency's holds, in {@link #list}'s order (at most 1000): what an auditor, who
     * checks that retention is honoured, reads — holds are the one exception to it.
     */
    public CompletableFuture<List<Hold>> listAll() {
        return worker.submit(() -> queries.list(null));
    }

    /**
     * The reads a hold keeps now — what its release deletes: how many copies it has, and the read ids
     * of at most {@code max} of them (by read id). Of the agency's hold, as {@link #find}.
     */
    public CompletableFuture<HeldReads> heldReads(String holdId, String agency, int max) {
        return worker.submit(() -> queries.heldReads(holdId, agency, max));
    }

    /** {@link #heldReads} of a hold already found (the automatic release's). */
    public CompletableFuture<HeldReads> heldReads(Hold hold, int max) {
        return worker.submit(() -> queries.heldReads(hold, max));
    }

    /** A hold's copies: their number, and the read ids of the first {@code readIds.size()} of them by read id. */
    public record HeldReads(long count, List<String> readIds) {
    }

    /** The service's clock (a hold's {@link Hold#state} is told by it). */
    public Clock clock() {
        return clock;
    }

    public CompletableFuture<Hold> release(String holdId, String agency, String user) {
        return worker.submit(() -> release.release(holdId, agency, user));
    }

    /**
     * The agency's hold {@code holdId} if {@link #extend} would extend it to {@code until}; fails as
     * that would (unknown or foreign hold, released or ended hold, {@code until} not later than the
     * hold's or beyond {@code hold_max_days}) without changing anything, so the HTTP layer can refuse
     * before it records the extension.
     */
    public CompletableFuture<Hold> checkExtension(String holdId, String agency, Instant until) {
        return worker.submit(() -> extension.check(holdId, agency, until));
    }

    /**
     * Moves an active hold's {@code until} later, at most {@code hold_max_days} from now. The held
     * copies carry {@code until} too (searches filter on it first, then on the definition's), so they
     * are updated first and the definition after: a failure in between leaves the definition's earlier
     * {@code until} in force (searches go by it, the expiry pass releases the hold then), never a
     * definition that promises more than the copies keep. Returns the extended hold.
     */
    public CompletableFuture<Hold> extend(String holdId, String agency, String user, Instant until) {
        return worker.submit(() -> extension.extend(holdId, agency, user, until));
    }

    /**
     * The holds whose {@code until} has passed and that nobody released yet, soonest ended first
     * (at most 1000). A hold keeps reads beyond retention only while it lasts: searches stop
     * returning an ended hold's reads at once, released or not, and {@link #releaseEnded} frees
     * the storage.
     */
    public CompletableFuture<List<Hold>> ended() {
        return worker.submit(ended::ended);
    }

    /**
     * A node's claim on the automatic release of an ended hold: while it stands, no other node's
     * pass records or makes that release ({@link #claimRelease}); {@code token} tells this claim
     * from a later one that took the release over.
     */
    public record ReleaseClaim(Hold hold, String nodeId, String token) {
    }

    /**
     * Claims the automatic release of an ended hold for {@code nodeId}, so that of several search
     * nodes running their passes at once one records and makes it: a conditional update of the
     * hold's definition ({@code if_seq_no}/{@code if_primary_term}) that sets {@code hold.release_claim}.
     * Empty when the release is not this node's to make: the hold is released, has not ended, or
     * another node claimed it less than {@link #RELEASE_CLAIM_TTL} ago, or claimed it first (the
     * conditional update lost the race). A claim of {@code nodeId} itself is taken again at once: the
     * node's own passes take turns (a restart takes over what it claimed before it stopped).
     */
    public CompletableFuture<Optional<ReleaseClaim>> claimRelease(Hold hold, String nodeId) {
        return worker.submit(() -> ended.claim(hold, nodeId));
    }

    /**
     * Releases one ended hold as {@link #EXPIRY_USER} under a claim ({@link #claimRelease}), for a
     * caller that recorded the release in the audit trail after claiming it. Fails, releasing
     * nothing, when another node has taken the claim over since (it records and makes the release
     * itself). If someone released the hold in the meantime, theirs is the release on record and the
     * returned hold names them.
     */
    public CompletableFuture<Hold> releaseEnded(ReleaseClaim claim) {
        return worker.submit(() -> release.releaseClaimed(claim));
    }

    /**
     * Deletes the held copies that no hold in force keeps, and answers the ids of their holds (at most
     * 1000 holds looked at a call): the copies of released holds — a release marks the definition
     * released, then deletes the copies, and if the deletion fails in between (Elasticsearch down, a
     * node stopped) the hold is released on record and searches ignore its copies (they check the
     * definition), but they would stay
     * stored for good — and copies whose hold has no definition {@link #ORPHAN_GRACE} after they were
     * made. Neither {@link #ended} (released holds are not listed) nor anything else comes back to
     * them. The search node's hourly pass calls this after the ended holds' releases: it finishes
     * such a release (whose record, naming the reads deleted, is in the trail already) and removes
     * what a failed creation left (whose failure record is).
     */
    public CompletableFuture<List<String>> deleteLeftoverCopies() {
        return worker.submit(leftovers::delete);
    }

    /** For tests: lists answer at most {@code max} holds, to see which ones a full list keeps. */
    void maxListedForTests(int max) {
        queries.maxListedForTests(max);
    }

    @Override
    public void close() {
        worker.close();
    }
}

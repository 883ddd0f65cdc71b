package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.plate.PlateNormalizer;
import org.platewarden.core.read.ReadFields;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.BoundedWorker;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 */
public final class HoldService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoldService.class);
    /** a hold is for one investigation, not a way around retention */
    public static final int MAX_READS_PER_HOLD = 100_000;
    public static final int MAX_READ_IDS = 10_000;
    private static final int PAGE = 1000;
    private static final int MAX_LISTED = 1000;
    /** How many holds a list answers: {@link #MAX_LISTED}, smaller only in tests of the order at the cap. */
    private int maxListed = MAX_LISTED;
    private static final String HOLD_ID_PREFIX = "hold-";

    private final EsRest es;
    private final String prefix;
    private final String holdsIndex;
    private final String metaIndex;
    private final AgencyScope scope;
    private final int retentionDays;
    private final int holdMaxDays;
    private final Clock clock;
    private final BoundedWorker worker;
    /**
     * Changes of one hold (extend, release) on this node take turns: an extension updates the held
     * copies and then the definition, and two at once could leave the copies with the loser's
     * until. Striped, so memory stays fixed; another node's change is caught by the definition's
     * seq_no instead ({@link #updateDefinition}).
     */
    private final Object[] changeLocks = new Object[64];

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
        this.es = new EsRest(rest, requestTimeout);
        this.prefix = prefix;
        this.holdsIndex = prefix + "-holds";
        this.metaIndex = prefix + "-holds-meta";
        this.scope = scope;
        this.retentionDays = retentionDays;
        this.holdMaxDays = holdMaxDays;
        this.clock = clock;
        this.worker = new BoundedWorker("holds-" + prefix, 2, 32);
        for (int i = 0; i < changeLocks.length; i++) changeLocks[i] = new Object();
    }

    public String holdsIndex() {
        return holdsIndex;
    }

    public String metaIndex() {
        return metaIndex;
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
        return worker.submit(() -> doCreate(holdId, agency, user, req, maxReadIds));
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
        validate(agency, user, req, scope.visibleAgencies(agency), clock.instant());
    }

    /**
     * The agency's hold {@code holdId}, released or not; fails with {@link HoldNotFoundException}
     * for an unknown hold or another agency's, as {@link #release} would.
     */
    public CompletableFuture<Hold> find(String holdId, String agency) {
        return worker.submit(() -> ownHold(holdId, agency).hold());
    }

    /** The agency's holds: those in force (active or awaiting release) newest first, then released ones, most recently released first; at most 1000. */
    public CompletableFuture<List<Hold>> list(String agency) {
        return worker.submit(() -> doList(agency));
    }

    /**
     * Every agency's holds, in {@link #list}'s order (at most 1000): what an auditor, who
     * checks that retention is honoured, reads — holds are the one exception to it.
     */
    public CompletableFuture<List<Hold>> listAll() {
        return worker.submit(() -> doList(null));
    }

    /**
     * The reads a hold keeps now — what its release deletes: how many copies it has, and the read ids
     * of at most {@code max} of them (by read id). Of the agency's hold, as {@link #find}.
     */
    public CompletableFuture<HeldReads> heldReads(String holdId, String agency, int max) {
        return worker.submit(() -> {
            ownHold(holdId, agency);
            return doHeldReads(holdId, max);
        });
    }

    /** {@link #heldReads} of a hold already found (the automatic release's). */
    public CompletableFuture<HeldReads> heldReads(Hold hold, int max) {
        return worker.submit(() -> doHeldReads(hold.id(), max));
    }

    /** A hold's copies: their number, and the read ids of the first {@code readIds.size()} of them by read id. */
    public record HeldReads(long count, List<String> readIds) {
    }

    private HeldReads doHeldReads(String holdId, int max) {
        String lenient = "?ignore_unavailable=true&allow_no_indices=true";
        es.call("POST", "/" + holdsIndex + "/_refresh" + lenient, null);
        ObjectNode term = EsRest.MAPPER.createObjectNode();
        term.putObject("term").put("hold.hold_id", holdId);
        long count = es.call("POST", "/" + holdsIndex + "/_count" + lenient, wrap("query", term)).path("count").asLong(0);
        List<String> ids = new ArrayList<>();
        JsonNode after = null;
        while (ids.size() < max) {
            ObjectNode search = EsRest.MAPPER.createObjectNode();
            search.put("size", Math.min(PAGE, max - ids.size()));
            search.put("_source", false);
            search.set("query", term);
            search.putArray("sort").addObject().put(ReadFields.READ_ID, "asc");
            if (after != null) search.set("search_after", after);
            JsonNode hits = es.call("POST", "/" + holdsIndex + "/_search" + lenient, search).path("hits").path("hits");
            for (JsonNode hit : hits) ids.add(hit.path("sort").path(0).asText());
            if (hits.size() < search.path("size").asInt()) break;
            after = hits.get(hits.size() - 1).path("sort");
        }
        return new HeldReads(count, List.copyOf(ids));
    }

    /** The service's clock (a hold's {@link Hold#state} is told by it). */
    public Clock clock() {
        return clock;
    }

    public CompletableFuture<Hold> release(String holdId, String agency, String user) {
        return worker.submit(() -> doRelease(holdId, agency, user));
    }

    /**
     * The agency's hold {@code holdId} if {@link #extend} would extend it to {@code until}; fails as
     * that would (unknown or foreign hold, released or ended hold, {@code until} not later than the
     * hold's or beyond {@code hold_max_days}) without changing anything, so the HTTP layer can refuse
     * before it records the extension.
     */
    public CompletableFuture<Hold> checkExtension(String holdId, String agency, Instant until) {
        return worker.submit(() -> {
            Hold hold = ownHold(holdId, agency).hold();
            validateExtension(hold, until, clock.instant());
            return hold;
        });
    }

    /**
     * Moves an active hold's {@code until} later, at most {@code hold_max_days} from now. The held
     * copies carry {@code until} too (searches filter on it first, then on the definition's), so they
     * are updated first and the definition after: a failure in between leaves the definition's earlier
     * {@code until} in force (searches go by it, the expiry pass releases the hold then), never a
     * definition that promises more than the copies keep. Returns the extended hold.
     */
    public CompletableFuture<Hold> extend(String holdId, String agency, String user, Instant until) {
        return worker.submit(() -> doExtend(holdId, agency, user, until));
    }

    /**
     * The holds whose {@code until} has passed and that nobody released yet, soonest ended first
     * (at most 1000). A hold keeps reads beyond retention only while it lasts: searches stop
     * returning an ended hold's reads at once, released or not, and {@link #releaseEnded} frees
     * the storage.
     */
    public CompletableFuture<List<Hold>> ended() {
        return worker.submit(this::doEnded);
    }

    /**
     * How long a node's claim on the automatic release of an ended hold ({@link #claimRelease})
     * keeps other nodes from it: a node that claimed a release and died before making it leaves the
     * claim behind, and another node's pass takes the release over once this much has passed since
     * the claim. Far longer than a release takes (its record, then at most
     * {@link #MAX_READS_PER_HOLD} copies deleted in pages of 1 000), far shorter than the hourly pass.
     */
    public static final java.time.Duration RELEASE_CLAIM_TTL = java.time.Duration.ofMinutes(10);

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
    public CompletableFuture<java.util.Optional<ReleaseClaim>> claimRelease(Hold hold, String nodeId) {
        return worker.submit(() -> doClaimRelease(hold, nodeId));
    }

    /**
     * Releases one ended hold as {@link #EXPIRY_USER} under a claim ({@link #claimRelease}), for a
     * caller that recorded the release in the audit trail after claiming it. Fails, releasing
     * nothing, when another node has taken the claim over since (it records and makes the release
     * itself). If someone released the hold in the meantime, theirs is the release on record and the
     * returned hold names them.
     */
    public CompletableFuture<Hold> releaseEnded(ReleaseClaim claim) {
        return worker.submit(() -> {
            synchronized (changeLock(claim.hold().id())) {
                return releaseNow(claim.hold().id(), claim.hold().agency(), EXPIRY_USER, claim.token());
            }
        });
    }

    private java.util.Optional<ReleaseClaim> doClaimRelease(Hold ended, String nodeId) {
        Stored stored = ownHold(ended.id(), ended.agency());
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Hold hold = stored.hold();
        if (hold.released() || hold.until().isAfter(now)) return java.util.Optional.empty();
        ReleaseClaimed held = stored.claim();
        if (held != null && !held.nodeId().equals(nodeId) && held.at() != null && held.at().plus(RELEASE_CLAIM_TTL).isAfter(now)) {
            return java.util.Optional.empty();
        }
        String token = UUID.randomUUID().toString();
        ObjectNode claim = EsRest.MAPPER.createObjectNode();
        claim.putObject("release_claim").put("node_id", nodeId).put("token", token).put("claimed_at", now.toString());
        if (!updateDefinition(stored, claim, false)) return java.util.Optional.empty(); // another node claimed (or someone released) first
        if (held != null && !held.nodeId().equals(nodeId)) {
            LOG.warn("hold {}: the release claimed by node {} at {} was not made within {}; node {} takes it over",
                    hold.id(), held.nodeId(), held.at(), RELEASE_CLAIM_TTL, nodeId);
        }
        return java.util.Optional.of(new ReleaseClaim(hold, nodeId, token));
    }

    /**
     * How long held copies may exist without their hold's definition before they count as orphans:
     * a creation copies the reads first and writes the definition last, so copies without one are
     * normal for the seconds a creation takes; a creation that failed part-way (its clean-up failed, or
     * it kept the copies because it could not tell whether the definition was written) leaves copies
     * that nothing refers to. Searches never return them (they show a copy only while its hold's
     * definition is in force: the search API's {@code LiveHolds}); the release pass frees their storage.
     */
    public static final java.time.Duration ORPHAN_GRACE = java.time.Duration.ofHours(1);

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
        return worker.submit(this::doDeleteLeftoverCopies);
    }

    private List<String> doDeleteLeftoverCopies() {
        ObjectNode withCopies = EsRest.MAPPER.createObjectNode();
        withCopies.put("size", 0);
        ObjectNode byHold = withCopies.putObject("aggs").putObject("holds");
        byHold.putObject("terms").put("field", "hold.hold_id").put("size", MAX_LISTED);
        byHold.putObject("aggs").putObject("created").putObject("max").put("field", "hold.created_at");
        JsonNode buckets = es.call("POST", "/" + holdsIndex + "/_search?ignore_unavailable=true&allow_no_indices=true", withCopies)
                .path("aggregations").path("holds").path("buckets");
        if (buckets.isEmpty()) return List.of();
        ObjectNode definitions = EsRest.MAPPER.createObjectNode();
        definitions.put("size", MAX_LISTED);
        definitions.putArray("_source").add("hold.released_at");
        ArrayNode ids = definitions.putObject("query").putObject("ids").putArray("values");
        for (JsonNode bucket : buckets) ids.add(bucket.path("key").asText());
        Map<String, Boolean> released = new HashMap<>();
        for (JsonNode hit : es.call("POST", "/" + metaIndex + "/_search?ignore_unavailable=true&allow_no_indices=true", definitions)
                .path("hits").path("hits")) {
            released.put(hit.path("_id").asText(), hit.path("_source").path("hold").has("released_at"));
        }
        Instant orphanedBefore = clock.instant().minus(ORPHAN_GRACE);
        List<String> cleaned = new ArrayList<>();
        for (JsonNode bucket : buckets) {
            String holdId = bucket.path("key").asText();
            Boolean isReleased = released.get(holdId);
            boolean orphaned = isReleased == null && bucket.path("created").path("value").isNumber()
                    && Instant.ofEpochMilli(bucket.path("created").path("value").asLong()).isBefore(orphanedBefore);
            if (!Boolean.TRUE.equals(isReleased) && !orphaned) continue;
            synchronized (changeLock(holdId)) {
                deleteCopies(holdId);
            }
            if (orphaned) {
                LOG.warn("held copies of hold {} had no hold definition {} after their creation (a creation that failed part-way); "
                        + "they are deleted now", holdId, ORPHAN_GRACE);
            } else {
                LOG.info("hold {} was released but still had held copies (its release was interrupted after the hold was marked "
                        + "released); they are deleted now", holdId);
            }
            cleaned.add(holdId);
        }
        return cleaned;
    }

    /** For tests: lists answer at most {@code max} holds, to see which ones a full list keeps. */
    void maxListedForTests(int max) {
        this.maxListed = max;
    }

    /** Who a hold released because its until date passed was released by. */
    public static final String EXPIRY_USER = "platewarden:until-passed";

    private List<Hold> doEnded() {
        Instant now = clock.instant();
        ObjectNode search = EsRest.MAPPER.createObjectNode();
        search.put("size", MAX_LISTED);
        ObjectNode bool = search.putObject("query").putObject("bool");
        bool.putArray("filter").addObject().putObject("range").putObject("hold.until").put("lte", now.toString());
        bool.putArray("must_not").addObject().putObject("exists").put("field", "hold.released_at");
        search.putArray("sort").addObject().put("hold.until", "asc");
        List<Hold> ended = new ArrayList<>();
        JsonNode hits = es.call("POST", "/" + metaIndex + "/_search?ignore_unavailable=true&allow_no_indices=true", search)
                .path("hits").path("hits");
        for (JsonNode hit : hits) ended.add(fromObject(hit.path("_source").path("hold")));
        return ended;
    }

    /**
     * Everything {@link #create} checks with Elasticsearch, without changing anything: at most
     * {@link #MAX_READS_PER_HOLD} matching reads, and every read id found. The HTTP layer calls it
     * before it records the creation, so a hold refused here leaves one "invalid" record, not an
     * "allowed" one followed by its failure. {@link #create} checks again (the reads may change).
     */
    public CompletableFuture<Void> checkMatches(String agency, String user, HoldRequest req) {
        return worker.submit(() -> {
            matches(agency, user, req, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            return null;
        });
    }

    /** The query of the reads a hold would copy, once it is known to pass every check. */
    private record Matches(String plate, List<String> readIds, ObjectNode query) {
    }

    private Matches matches(String agency, String user, HoldRequest req, Instant now) {
        Set<String> visible = scope.visibleAgencies(agency);
        String plate = validate(agency, user, req, visible, now);
        List<String> readIds = req.readIds() == null ? List.of() : List.copyOf(new LinkedHashSet<>(req.readIds()));
        ObjectNode query = matchQuery(visible, plate, readIds, req, oldestLiveDay(now));
        String reads = DailyIndex.pattern(prefix);
        String lenient = "?ignore_unavailable=true&allow_no_indices=true";
        es.call("POST", "/" + reads + "/_refresh" + lenient, null);
        // over every daily index: a count or search some of whose shards failed would hold part of the
        // matches as if they were all, and the rest would be deleted with their days (EsRest#callAllShards)
        long matching = es.callAllShards("POST", "/" + reads + "/_count" + lenient, wrap("query", query)).path("count").asLong(0);
        if (matching > MAX_READS_PER_HOLD) {
            throw new IllegalArgumentException("hold would copy " + matching + " reads (more than " + MAX_READS_PER_HOLD
                    + "); narrow the plate or the time window");
        }
        if (!readIds.isEmpty() && matching < readIds.size()) refuseMissing(readIds, reads + "/_search" + lenient, query);
        return new Matches(plate, readIds, query);
    }

    private Created doCreate(String holdId, String agency, String user, HoldRequest req, int maxReadIds) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Matches m = matches(agency, user, req, now);
        String plate = m.plate();
        List<String> readIds = m.readIds();
        ObjectNode query = m.query();
        String reads = DailyIndex.pattern(prefix);
        String lenient = "?ignore_unavailable=true&allow_no_indices=true";
        Hold hold = new Hold(holdId, req.caseNumber(), req.reason(), agency, user, now, req.until(), 0, null, null,
                plate, readIds.isEmpty() ? null : readIds, req.from(), req.to());
        long copied = 0;
        List<String> keptIds = new ArrayList<>();
        boolean definitionSent = false;
        try {
            copied = copyReads(hold, "/" + reads + "/_search" + lenient, query, keptIds, maxReadIds);
            es.call("POST", "/" + holdsIndex + "/_refresh", null);
            hold = withCount(hold, copied);
            definitionSent = true;
            es.call("PUT", "/" + metaIndex + "/_create/" + encode(holdId) + "?refresh=wait_for", wrap("hold", holdObject(hold)));
        } catch (RuntimeException e) {
            if (definitionSent && ElasticsearchConnection.unreachable(e) && !ElasticsearchConnection.notSent(e)) {
                // the definition's write may have been carried out unanswered: the copies are the hold's
                // evidence if it was, so they go only once the definition is known to be missing
                Boolean stored = definitionStored(holdId, e);
                if (Boolean.TRUE.equals(stored)) {
                    LOG.warn("hold {} for case {}: its definition's write was not answered ({}), but the definition is stored: the hold"
                            + " is created, {} reads copied", holdId, req.caseNumber(), e.getMessage(), copied);
                    return new Created(hold, new HeldReads(copied, List.copyOf(keptIds)));
                }
                if (stored == null) {
                    LOG.error("hold {} for case {}: its definition's write was not answered and could not be read back; the hold may"
                            + " exist, so its {} copies are kept: {}", holdId, req.caseNumber(), copied, e.getMessage());
                    throw new HoldMayExistException(holdId, copied, e, HoldMayExistException.NOT_READ_BACK);
                }
                // not stored yet, but the unanswered write may still be carried out: its place is taken first
                Boolean marked = markCreationFailed(hold, e);
                if (Boolean.FALSE.equals(marked)) {
                    LOG.warn("hold {} for case {}: its definition's write was not answered, and was stored after it was read back: the"
                            + " hold is created, {} reads copied", holdId, req.caseNumber(), copied);
                    return new Created(hold, new HeldReads(copied, List.copyOf(keptIds)));
                }
                if (marked == null) {
                    LOG.error("hold {} for case {}: its definition's write was not answered and its creation could not be marked failed;"
                            + " the hold may exist, so its {} copies are kept: {}", holdId, req.caseNumber(), copied, e.getMessage());
                    throw new HoldMayExistException(holdId, copied, e, HoldMayExistException.NOT_MARKED_FAILED);
                }
            }
            LOG.error("hold {} for case {} failed, removing partial copies: {}", holdId, req.caseNumber(), e.getMessage());
            try {
                deleteCopies(holdId);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LOG.info("hold {} created by {} ({}) for case {}: {} reads copied", holdId, user, agency, req.caseNumber(), copied);
        return new Created(hold, new HeldReads(copied, List.copyOf(keptIds)));
    }

    /** Who a hold whose creation is known to have failed is listed as released by ({@link #markCreationFailed}). */
    public static final String CREATION_FAILED_USER = "platewarden:creation-failed";

    /**
     * After a definition's write went unanswered and its read-back found nothing, writes in its place
     * (create-only, as the definition's own write) a definition of the hold released at once by
     * {@link #CREATION_FAILED_USER} with no reads. A definition is created once per id, so the
     * unanswered write, if Elasticsearch still carries it out, is refused: without this it would
     * leave a hold listed as active whose copies the failed creation deleted. {@code GET /v1/holds}
     * lists the failed creation as released (searches show none of its copies; the release pass
     * deletes any written late). True when marked; false when the definition was stored meanwhile
     * (the hold is created); null when it cannot be told (the failure added to {@code writeFailure}).
     */
    private Boolean markCreationFailed(Hold hold, RuntimeException writeFailure) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Hold failed = new Hold(hold.id(), hold.caseNumber(), hold.reason(), hold.agency(), hold.createdBy(), hold.createdAt(),
                hold.until(), 0, now, CREATION_FAILED_USER, hold.platePattern(), hold.readIds(), hold.from(), hold.to());
        try {
            es.call("PUT", "/" + metaIndex + "/_create/" + encode(hold.id()) + "?refresh=wait_for", wrap("hold", holdObject(failed)));
            LOG.warn("hold {} for case {}: its creation failed; it is listed as released by {} so that its definition's unanswered"
                    + " write cannot make it later", hold.id(), hold.caseNumber(), CREATION_FAILED_USER);
            return true;
        } catch (EsRest.EsCallException conflict) {
            if (conflict.status() == 409) return false;
            writeFailure.addSuppressed(conflict);
            return null;
        } catch (RuntimeException unknown) {
            writeFailure.addSuppressed(unknown);
            return null;
        }
    }

    /**
     * Whether hold {@code holdId}'s definition is stored, read back (bounded as every call) after its
     * write failed unanswered ({@code writeFailure}); null when the read-back failed too (added to
     * {@code writeFailure} as suppressed): nobody can tell.
     */
    private Boolean definitionStored(String holdId, RuntimeException writeFailure) {
        try {
            JsonNode doc = es.call("GET", "/" + metaIndex + "/_doc/" + encode(holdId), null);
            return doc.path("found").asBoolean(false) && holdId.equals(doc.path("_source").path("hold").path("hold_id").asText());
        } catch (RuntimeException readBack) {
            writeFailure.addSuppressed(readBack);
            return null;
        }
    }

    private String validate(String agency, String user, HoldRequest req, Set<String> visible, Instant now) {
        // refused before the request is looked at, as a search by such an agency is (403)
        if (visible.isEmpty()) throw new HoldForbiddenException(agency);
        if (req == null) throw new IllegalArgumentException("a hold request is required");
        if (user == null || user.isBlank()) throw new IllegalArgumentException("a hold needs the requesting user");
        if (req.caseNumber() == null || req.caseNumber().isBlank()) throw new IllegalArgumentException("a hold needs a case number");
        if (req.reason() == null || req.reason().isBlank()) throw new IllegalArgumentException("a hold needs a reason");
        // a hold copies the reads of one exact plate: normalising "R*" to "R" would quietly hold
        // something else than asked, so patterns are refused (search first, then hold the read ids)
        // NFKC first: a search reads the full-width ＊ and ？ as wildcards, and normalising would drop them as separators
        String asTyped = req.platePattern() == null ? null : java.text.Normalizer.normalize(req.platePattern(), java.text.Normalizer.Form.NFKC);
        if (asTyped != null && (asTyped.indexOf('*') >= 0 || asTyped.indexOf('?') >= 0)) {
            throw new IllegalArgumentException("a hold's plate is one exact plate, not a pattern ('" + req.platePattern()
                    + "'); search with the pattern, then hold the read ids you found");
        }
        String plate = req.platePattern() == null ? null : PlateNormalizer.normalize(req.platePattern());
        if (plate != null && plate.length() < ReadValidator.PLATE_NORM_MIN) {
            throw new IllegalArgumentException("plate '" + req.platePattern() + "' has fewer than " + ReadValidator.PLATE_NORM_MIN
                    + " letters or digits; no read has such a plate");
        }
        boolean noIds = req.readIds() == null || req.readIds().isEmpty();
        if (plate == null && noIds) throw new IllegalArgumentException("a hold needs a plate or a list of read ids");
        if (plate != null && !noIds) throw new IllegalArgumentException("a hold takes a plate or a list of read ids, not both");
        if (!noIds && req.readIds().size() > MAX_READ_IDS) throw new IllegalArgumentException("at most " + MAX_READ_IDS + " read ids per hold");
        if (!noIds && req.readIds().stream().anyMatch(id -> id == null || id.isBlank())) throw new IllegalArgumentException("read ids must not be blank");
        if (req.until() == null) throw new IllegalArgumentException("a hold needs an until date");
        if (!req.until().isAfter(now)) throw new IllegalArgumentException("until " + req.until() + " is not in the future");
        refuseBeyondMax(req.until(), now);
        if (req.from() != null && req.to() != null && req.from().isAfter(req.to())) throw new IllegalArgumentException("from is after to");
        return plate;
    }

    private void refuseBeyondMax(Instant until, Instant now) {
        if (until.isAfter(now.plus(holdMaxDays, java.time.temporal.ChronoUnit.DAYS))) {
            throw new IllegalArgumentException("until " + until + " is more than " + holdMaxDays + " days ahead (hold_max_days); hold for at most "
                    + holdMaxDays + " days and extend the hold (POST /v1/holds/{id}/extend) while the investigation needs its reads");
        }
    }

    private void validateExtension(Hold hold, Instant until, Instant now) {
        if (hold.released()) {
            throw new IllegalArgumentException("hold " + hold.id() + " was released at " + hold.releasedAt() + "; a released hold cannot be extended");
        }
        if (!hold.until().isAfter(now)) {
            throw new IllegalArgumentException("hold " + hold.id() + " ended at " + hold.until() + "; an ended hold cannot be extended");
        }
        if (until == null) throw new IllegalArgumentException("an extension needs the new until date");
        if (!until.isAfter(hold.until())) {
            throw new IllegalArgumentException("until " + until + " is not later than the hold's until " + hold.until());
        }
        refuseBeyondMax(until, now);
    }

    private Object changeLock(String holdId) {
        return changeLocks[Math.floorMod(holdId.hashCode(), changeLocks.length)];
    }

    private Hold doExtend(String holdId, String agency, String user, Instant until) {
        synchronized (changeLock(holdId)) {
            return extendNow(holdId, agency, user, until);
        }
    }

    private Hold extendNow(String holdId, String agency, String user, Instant until) {
        Stored stored = ownHold(holdId, agency);
        validateExtension(stored.hold(), until, clock.instant());
        try {
            setCopiesUntil(holdId, until);
        } catch (RuntimeException e) {
            // some copies may carry the new until already: back to the definition's, which stays in force
            try {
                Hold now = ownHold(holdId, agency).hold();
                if (!now.released()) setCopiesUntil(holdId, now.until());
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        // a hold released or extended meanwhile is not overwritten
        if (!updateDefinition(stored, EsRest.MAPPER.createObjectNode().put("until", until.toString()))) {
            Hold now = ownHold(holdId, agency).hold();
            // the copies follow the definition that won (a release deletes them anyway)
            if (!now.released()) setCopiesUntil(holdId, now.until());
            throw new IllegalArgumentException("hold " + holdId + " was changed while it was being extended (until now " + now.until()
                    + (now.released() ? ", released" : "") + "); look at it again before extending it");
        }
        Hold hold = stored.hold();
        LOG.info("hold {} (case {}) extended by {} ({}) from {} to {}", holdId, hold.caseNumber(), user, agency, hold.until(), until);
        return new Hold(hold.id(), hold.caseNumber(), hold.reason(), hold.agency(), hold.createdBy(), hold.createdAt(),
                until, hold.readCount(), null, null, hold.platePattern(), hold.readIds(), hold.from(), hold.to());
    }

    /**
     * The start of the oldest UTC day whose index is not yet expired. The sweeper deletes an expired
     * day's index up to an interval late; a hold created meanwhile must not copy its reads, or the
     * hold would keep reads the retention promise has already ended (searches skip that day too).
     */
    private Instant oldestLiveDay(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate oldest = today.minusDays(retentionDays - 1L);
        return oldest.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private ObjectNode matchQuery(Set<String> visible, String plate, List<String> readIds, HoldRequest req, Instant oldestLive) {
        ObjectNode bool = EsRest.MAPPER.createObjectNode();
        ArrayNode filter = bool.putArray("filter");
        ArrayNode agencies = EsRest.MAPPER.createArrayNode();
        visible.stream().sorted().forEach(agencies::add);
        filter.addObject().putObject("terms").set(ReadFields.AGENCY, agencies);
        filter.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT).put("gte", oldestLive.toString());
        if (req.from() != null || req.to() != null) {
            ObjectNode range = filter.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT);
            // captured_at is indexed to the millisecond: the first and last millisecond inside the window
            if (req.from() != null) range.put("gte", org.platewarden.core.read.CaptureTime.windowStart(req.from()).toString());
            if (req.to() != null) range.put("lte", org.platewarden.core.read.CaptureTime.windowEnd(req.to()).toString());
        }
        ArrayNode should = bool.putArray("should");
        if (plate != null) should.addObject().putObject("term").put(ReadFields.PLATE_NORM, plate);
        if (!readIds.isEmpty()) {
            ArrayNode ids = EsRest.MAPPER.createArrayNode();
            readIds.forEach(ids::add);
            should.addObject().putObject("terms").set(ReadFields.READ_ID, ids);
        }
        bool.put("minimum_should_match", 1);
        return wrap("bool", bool);
    }

    /**
     * A hold of read ids holds every one of them or none: an id that matches no read the agency may
     * see (mistyped, another agency's, past retention or outside the hold's from/to) is named in the
     * refusal rather than left out silently, where only a short read_count would have shown it.
     */
    private void refuseMissing(List<String> readIds, String searchPath, ObjectNode query) {
        ObjectNode search = EsRest.MAPPER.createObjectNode();
        search.put("size", MAX_READ_IDS);
        search.set("query", query);
        search.putArray("_source").add(ReadFields.READ_ID);
        Set<String> found = new java.util.HashSet<>();
        for (JsonNode hit : es.callAllShards("POST", "/" + searchPath, search).path("hits").path("hits")) {
            found.add(hit.path("_source").path(ReadFields.READ_ID).asText());
        }
        List<String> missing = readIds.stream().filter(id -> !found.contains(id)).toList();
        if (missing.isEmpty()) return;
        int shown = Math.min(missing.size(), 20);
        throw new IllegalArgumentException(missing.size() + " of the " + readIds.size() + " read ids match no read your agency may see"
                + " within retention" + " (and the hold's from/to, if given): " + String.join(", ", missing.subList(0, shown))
                + (missing.size() > shown ? ", … " + (missing.size() - shown) + " more" : "") + "; nothing was held");
    }

    /**
     * Pages through the matches (search_after on read_id, unique per read) and bulk-copies each page;
     * adds the read ids of the first {@code maxIds} copies (by read id, the order of the pages) to {@code ids}.
     */
    private long copyReads(Hold hold, String searchPath, ObjectNode query, List<String> ids, int maxIds) {
        ObjectNode holdObject = copyHoldObject(hold);
        long copied = 0;
        JsonNode after = null;
        while (true) {
            ObjectNode search = EsRest.MAPPER.createObjectNode();
            search.put("size", PAGE);
            search.set("query", query);
            search.putArray("sort").addObject().put(ReadFields.READ_ID, "asc");
            if (after != null) search.set("search_after", after);
            JsonNode hits = es.callAllShards("POST", searchPath, search).path("hits").path("hits");
            if (hits.isEmpty()) return copied;
            ByteArrayOutputStream bulk = new ByteArrayOutputStream();
            for (JsonNode hit : hits) {
                ObjectNode doc = ((ObjectNode) hit.path("_source")).deepCopy();
                if (ids.size() < maxIds) ids.add(doc.path(ReadFields.READ_ID).asText());
                doc.set("hold", holdObject);
                ObjectNode action = EsRest.MAPPER.createObjectNode();
                action.putObject("create").put("_index", holdsIndex).put("_id", hold.id() + ":" + doc.path(ReadFields.READ_ID).asText());
                writeLine(bulk, action);
                writeLine(bulk, doc);
            }
            JsonNode result = es.call("POST", "/_bulk", bulk.toByteArray());
            if (result.path("errors").asBoolean(false)) {
                for (JsonNode item : result.path("items")) {
                    JsonNode op = item.path("create");
                    int status = op.path("status").asInt();
                    if (status >= 300 && status != 409) {
                        throw new IllegalStateException("copying read " + op.path("_id").asText() + " into " + holdsIndex + " failed: "
                                + op.path("error").path("type").asText() + " " + op.path("error").path("reason").asText());
                    }
                }
            }
            copied += hits.size();
            after = hits.get(hits.size() - 1).path("sort");
            if (hits.size() < PAGE) return copied;
        }
    }

    private List<Hold> doList(String agency) {
        ObjectNode search = EsRest.MAPPER.createObjectNode();
        search.put("size", maxListed);
        if (agency == null) search.putObject("query").putObject("match_all");
        else search.putObject("query").putObject("term").put("hold.agency", agency);
        // holds in force first (no released_at), newest first, then released ones by their release: the
        // list is capped, and sorted by creation alone an old hold still in force (a long investigation,
        // extended) fell off it behind newer holds long released
        ArrayNode sort = search.putArray("sort");
        sort.addObject().putObject("hold.released_at").put("order", "desc").put("missing", "_first");
        sort.addObject().put("hold.created_at", "desc");
        JsonNode hits = es.call("POST", "/" + metaIndex + "/_search?ignore_unavailable=true&allow_no_indices=true", search)
                .path("hits").path("hits");
        List<Hold> holds = new ArrayList<>();
        for (JsonNode hit : hits) holds.add(fromObject(hit.path("_source").path("hold")));
        return holds;
    }

    /** A hold's definition with the versions an update is conditioned on, and its release's claim (null: none). */
    private record Stored(Hold hold, long seqNo, long primaryTerm, ReleaseClaimed claim) {
    }

    /** A claim on a hold's automatic release as stored on its definition ({@code hold.release_claim}). */
    private record ReleaseClaimed(String nodeId, String token, Instant at) {
        static ReleaseClaimed of(JsonNode claim) {
            if (!claim.isObject()) return null;
            return new ReleaseClaimed(claim.path("node_id").asText(), claim.path("token").asText(), instant(claim, "claimed_at"));
        }
    }

    private Stored ownHold(String holdId, String agency) {
        if (holdId == null || holdId.isBlank()) throw new HoldNotFoundException(String.valueOf(holdId), agency);
        JsonNode doc = es.call("GET", "/" + metaIndex + "/_doc/" + encode(holdId), null);
        if (!doc.path("found").asBoolean(false)) throw new HoldNotFoundException(holdId, agency);
        Hold hold = fromObject(doc.path("_source").path("hold"));
        if (!hold.agency().equals(agency)) throw new HoldNotFoundException(holdId, agency);
        return new Stored(hold, doc.path("_seq_no").asLong(), doc.path("_primary_term").asLong(),
                ReleaseClaimed.of(doc.path("_source").path("hold").path("release_claim")));
    }

    private Hold doRelease(String holdId, String agency, String user) {
        synchronized (changeLock(holdId)) {
            return releaseNow(holdId, agency, user, null);
        }
    }

    /**
     * Marks the hold released (unless it is already) and deletes its copies. {@code claimToken}: the
     * automatic release's claim ({@link #releaseEnded}), which must still be the hold's; null for a
     * supervisor's release.
     */
    private Hold releaseNow(String holdId, String agency, String user, String claimToken) {
        for (int attempt = 1; ; attempt++) {
            Stored stored = ownHold(holdId, agency);
            if (claimToken != null && (stored.claim() == null || !claimToken.equals(stored.claim().token()))) {
                throw new IllegalStateException("the automatic release of hold " + holdId + " was taken over by node "
                        + (stored.claim() == null ? "?" : stored.claim().nodeId()) + " after this node's claim expired; that node records and makes it");
            }
            Hold hold = stored.hold();
            if (!hold.released()) {
                Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                ObjectNode released = EsRest.MAPPER.createObjectNode();
                released.put("released_at", now.toString());
                released.put("released_by", user);
                // changed meanwhile (two supervisors releasing at once, a pass claiming it): read it again,
                // so that of two releases at once one is recorded on the definition
                if (!updateDefinition(stored, released)) {
                    if (attempt < 3) continue;
                    throw new IllegalStateException("hold " + holdId + " kept changing while it was being released; release it again");
                }
                hold = new Hold(hold.id(), hold.caseNumber(), hold.reason(), hold.agency(), hold.createdBy(), hold.createdAt(),
                        hold.until(), hold.readCount(), now, user, hold.platePattern(), hold.readIds(), hold.from(), hold.to());
                LOG.info("hold {} (case {}) released by {} ({})", holdId, hold.caseNumber(), user, agency);
            }
            deleteCopies(holdId); // also on a repeated release: removes leftovers of an interrupted one
            return hold;
        }
    }

    /**
     * Sets {@code fields} on the hold's definition unless someone changed it since {@code stored}
     * was read (optimistic concurrency on its seq_no); false if someone did.
     */
    private boolean updateDefinition(Stored stored, ObjectNode fields) {
        return updateDefinition(stored, fields, true);
    }

    /**
     * {@link #updateDefinition(Stored, ObjectNode)}; {@code visible}: wait until listings show the
     * change (a release, an extension); a release's claim need not be, as claims are read by id.
     */
    private boolean updateDefinition(Stored stored, ObjectNode fields, boolean visible) {
        String path = "/" + metaIndex + "/_update/" + encode(stored.hold().id()) + "?" + (visible ? "refresh=wait_for&" : "") + "if_seq_no="
                + stored.seqNo() + "&if_primary_term=" + stored.primaryTerm();
        try {
            es.call("POST", path, wrap("doc", wrap("hold", fields)));
            return true;
        } catch (EsRest.EsCallException e) {
            if (e.status() != 409) throw e;
            return false;
        }
    }

    private void deleteCopies(String holdId) {
        forEachCopy(holdId, "deleting", (bulk, id) -> {
            ObjectNode action = EsRest.MAPPER.createObjectNode();
            action.putObject("delete").put("_index", holdsIndex).put("_id", id);
            writeLine(bulk, action);
        });
    }

    private void setCopiesUntil(String holdId, Instant until) {
        ObjectNode doc = EsRest.MAPPER.createObjectNode();
        doc.putObject("doc").putObject("hold").put("until", until.toString());
        forEachCopy(holdId, "extending", (bulk, id) -> {
            ObjectNode action = EsRest.MAPPER.createObjectNode();
            // a copy another node updates at the same time: apply ours after it, not fail
            action.putObject("update").put("_index", holdsIndex).put("_id", id).put("retry_on_conflict", 3);
            writeLine(bulk, action);
            writeLine(bulk, doc);
        });
    }

    /**
     * Sends one bulk per page of the hold's copies, each copy's lines written by {@code lines}, then
     * refreshes the holds index. A copy gone meanwhile (404) is fine; any other failed item fails the
     * whole call, naming the copy.
     */
    private void forEachCopy(String holdId, String doing, java.util.function.BiConsumer<ByteArrayOutputStream, String> lines) {
        JsonNode after = null;
        while (true) {
            ObjectNode search = EsRest.MAPPER.createObjectNode();
            search.put("size", PAGE);
            search.put("_source", false);
            search.putObject("query").putObject("term").put("hold.hold_id", holdId);
            search.putArray("sort").addObject().put(ReadFields.READ_ID, "asc");
            if (after != null) search.set("search_after", after);
            JsonNode hits = es.call("POST", "/" + holdsIndex + "/_search?ignore_unavailable=true&allow_no_indices=true", search)
                    .path("hits").path("hits");
            if (hits.isEmpty()) break;
            ByteArrayOutputStream bulk = new ByteArrayOutputStream();
            for (JsonNode hit : hits) lines.accept(bulk, hit.path("_id").asText());
            JsonNode result = es.call("POST", "/_bulk", bulk.toByteArray());
            if (result.path("errors").asBoolean(false)) {
                for (JsonNode item : result.path("items")) {
                    JsonNode op = item.elements().next();
                    int status = op.path("status").asInt();
                    if (status >= 300 && status != 404) {
                        throw new IllegalStateException(doing + " held copy " + op.path("_id").asText() + " failed: "
                                + op.path("error").path("reason").asText());
                    }
                }
            }
            after = hits.get(hits.size() - 1).path("sort");
            if (hits.size() < PAGE) break;
        }
        es.call("POST", "/" + holdsIndex + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
    }

    /** The hold object on each held copy: who holds it and why; the definition document has the rest. */
    private static ObjectNode copyHoldObject(Hold h) {
        ObjectNode o = EsRest.MAPPER.createObjectNode();
        o.put("hold_id", h.id());
        o.put("case_number", h.caseNumber());
        o.put("reason", h.reason());
        o.put("agency", h.agency());
        o.put("created_by", h.createdBy());
        o.put("created_at", h.createdAt().toString());
        o.put("until", h.until().toString());
        return o;
    }

    /** The definition document's hold object: the copy's fields plus what the hold selected. */
    private static ObjectNode holdObject(Hold h) {
        ObjectNode o = copyHoldObject(h);
        o.put("read_count", h.readCount());
        if (h.platePattern() != null) o.put("plate_pattern", h.platePattern());
        if (h.readIds() != null) {
            ArrayNode ids = o.putArray("read_ids");
            h.readIds().forEach(ids::add);
        }
        if (h.from() != null) o.put("from", h.from().toString());
        if (h.to() != null) o.put("to", h.to().toString());
        if (h.releasedAt() != null) o.put("released_at", h.releasedAt().toString());
        if (h.releasedBy() != null) o.put("released_by", h.releasedBy());
        return o;
    }

    private static Hold fromObject(JsonNode o) {
        List<String> ids = null;
        if (o.path("read_ids").isArray()) {
            ids = new ArrayList<>();
            for (JsonNode id : o.path("read_ids")) ids.add(id.asText());
        } else if (o.path("read_ids").isTextual()) {
            ids = List.of(o.path("read_ids").asText());
        }
        return new Hold(o.path("hold_id").asText(), text(o, "case_number"), text(o, "reason"), text(o, "agency"),
                text(o, "created_by"), instant(o, "created_at"), instant(o, "until"), o.path("read_count").asLong(0),
                instant(o, "released_at"), text(o, "released_by"), text(o, "plate_pattern"), ids,
                instant(o, "from"), instant(o, "to"));
    }

    private static Hold withCount(Hold h, long count) {
        return new Hold(h.id(), h.caseNumber(), h.reason(), h.agency(), h.createdBy(), h.createdAt(), h.until(), count,
                h.releasedAt(), h.releasedBy(), h.platePattern(), h.readIds(), h.from(), h.to());
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode o, String field) {
        String v = text(o, field);
        return v == null ? null : Instant.parse(v);
    }

    private static ObjectNode wrap(String key, JsonNode value) {
        ObjectNode o = EsRest.MAPPER.createObjectNode();
        o.set(key, value);
        return o;
    }

    private static void writeLine(ByteArrayOutputStream out, JsonNode node) {
        try {
            out.write(EsRest.MAPPER.writeValueAsBytes(node));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        worker.close();
    }
}

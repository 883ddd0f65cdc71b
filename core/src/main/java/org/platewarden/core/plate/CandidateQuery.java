package org.platewarden.core.plate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.platewarden.core.read.ReadFields;

/**
 * Candidate retrieval for a {@link PlateQuery} over the index-time plate fields: a conjunction
 * of clauses that every true match (per {@link PlateMatcher}) satisfies, so the candidates are
 * always a superset of the matches; the final decision and ranking happen in Java. Every clause
 * is an exact {@code term}/{@code terms} lookup or a numeric range: no wildcard, regexp, prefix
 * or fuzzy query, so nothing scans the term dictionary.
 *
 * <p>All term clauses are over folded strings (the index holds {@code plate_ocr}, its grams and
 * deletions), except the exact non-OCR lookup on {@code plate_norm}. That is still a superset
 * when {@code ocr=false}: a literal glob match is also a folded one, and the folded edit distance
 * never exceeds the literal one. The folding given here must be the one used at index time.
 *
 * <p>Strategies, by query shape (Q = folded pattern, k = max edits, w = number of {@code ?},
 * L = number of literals):
 * <ul>
 * <li>{@link Strategy#EXACT_TERM} no wildcards, k=0: {@code plate_ocr = Q} (ocr) or
 * {@code plate_norm = pattern} (not ocr).</li>
 * <li>{@link Strategy#DELETIONS} no wildcards, k&gt;0: {@code plate_dels} in deletions(Q, k), and
 * {@code plate_len} in [|Q|-k, |Q|+k]. If two strings are within k edits, deleting at most k
 * characters from each yields a common string; the index stores all deletions up to 2. Also
 * w &lt;= 2 {@code ?} and no {@code *}, k=0: {@code plate_dels = } Q without its {@code ?}s and
 * {@code plate_len = |Q|} (deleting the characters under the {@code ?}s from a match gives it).</li>
 * <li>{@link Strategy#GRAMS} other wildcard patterns, k=0: every gram of every literal run must be present
 * (runs split at {@code ?} and {@code *}; anchored with ^/$ where the run touches the start/end
 * of the pattern; 3-grams of runs longer than 3, else the run itself), plus the length bounds
 * (exact when there is no {@code *}).</li>
 * <li>{@link Strategy#GRAM_KNOCKOUT} wildcards, k&gt;0: any alignment with at most k edits can be
 * covered by turning at most k literals of the pattern into {@code *} (a substituted or deleted
 * literal, or a literal next to an inserted character) and some {@code ?} into {@code *} (a
 * dropped {@code ?}, or one next to an insertion), which leaves the grams unchanged. A swap of two
 * adjacent literals (one edit) spoils both, so it is covered by a branch with the two swapped
 * instead (a swap involving a {@code ?} costs no more as a substitution). So the plan is the OR,
 * over every choice of s &lt;= k swaps of adjacent distinct literals and then min(k - s, L) literals
 * to knock out, of the GRAMS clause of the resulting pattern (a branch implied by another is
 * dropped), plus length bounds. Each branch
 * keeps every gram the knocked literals do not touch, so this is at least as selective as q-gram
 * count filtering ("at least #grams - k*q grams"). When there is no {@code *} and k + w &lt;= 2, a
 * DELETIONS clause on the pattern without its {@code ?}s is added as well (the characters under
 * the {@code ?}s count as deletions on the plate's side, so the plate needs at most k + w).</li>
 * </ul>
 * Knock-out plans over long patterns that would render more than {@link #MAX_LEAF_CLAUSES} leaf
 * queries keep only every 2nd (then 3rd) 3-gram of each run (plus its last), and if that is not
 * enough knock a swapped pair out instead of swapping it (then thin again): fewer necessary
 * conditions, still a superset.
 * <p>A pattern where some knock-out leaves no literal at all (e.g. {@code A*} with 1 edit,
 * {@code AB*} with 2) has no index-backed plan unless the deletion clause applies; {@link #plan}
 * then throws a {@link PlateQueryException} with {@link PlateQueryException#isUnsupported()}.
 */
public final class CandidateQuery {
    public enum Strategy { EXACT_TERM, DELETIONS, GRAMS, GRAM_KNOCKOUT }

    /**
     * Most leaf queries a plan may render. Elasticsearch 8 refuses a search whose query tree has
     * more leaves than a limit derived from heap and thread pool, never below 1024; this leaves
     * room for the search's other filters. Knock-out plans over long patterns are thinned to fit.
     */
    public static final int MAX_LEAF_CLAUSES = 768;

    /** One necessary condition on a stored read. */
    public sealed interface Clause permits Terms, LengthRange, AnyOf {
        boolean matches(StoredTerms doc);

        /** Appends the Elasticsearch filter(s) expressing this clause. */
        void render(ArrayNode filters);

        /** Leaf queries in the rendering (what Elasticsearch counts against its clause limit). */
        int leafClauses();
    }

    /** At least {@code minimumShouldMatch} of {@code terms} are present in the keyword field. */
    public record Terms(String field, List<String> terms, int minimumShouldMatch) implements Clause {
        public Terms {
            terms = List.copyOf(new TreeSet<>(terms));
            if (terms.isEmpty()) throw new IllegalArgumentException("no terms");
            if (minimumShouldMatch < 1 || minimumShouldMatch > terms.size()) {
                throw new IllegalArgumentException("minimum_should_match " + minimumShouldMatch + " of " + terms.size());
            }
        }

        static Terms all(String field, Set<String> terms) {
            return new Terms(field, List.copyOf(terms), terms.size());
        }

        static Terms any(String field, Set<String> terms) {
            return new Terms(field, List.copyOf(terms), 1);
        }

        @Override
        public boolean matches(StoredTerms doc) {
            int found = 0, remaining = terms.size();
            for (String t : terms) {
                remaining--;
                if (doc.has(field, t)) {
                    if (++found >= minimumShouldMatch) return true;
                } else if (found + remaining < minimumShouldMatch) {
                    return false;
                }
            }
            return false;
        }

        @Override
        public void render(ArrayNode filters) {
            if (minimumShouldMatch == terms.size()) {
                for (String t : terms) filters.add(term(field, t));
            } else if (minimumShouldMatch == 1) {
                ObjectNode terms = filters.addObject().putObject("terms");
                ArrayNode values = terms.putArray(field);
                this.terms.forEach(values::add);
            } else {
                ObjectNode bool = filters.addObject().putObject("bool");
                ArrayNode should = bool.putArray("should");
                for (String t : terms) should.add(term(field, t));
                bool.put("minimum_should_match", minimumShouldMatch);
            }
        }

        @Override
        public int leafClauses() {
            return minimumShouldMatch == 1 && terms.size() > 1 ? 1 : terms.size();
        }

        private static ObjectNode term(String field, String value) {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.putObject("term").putObject(field).put("value", value);
            return node;
        }
    }

    /** {@code plate_len} within [min, max]; max {@link Integer#MAX_VALUE} means unbounded. */
    public record LengthRange(int min, int max) implements Clause {
        @Override
        public boolean matches(StoredTerms doc) {
            return doc.length() >= min && doc.length() <= max;
        }

        @Override
        public void render(ArrayNode filters) {
            ObjectNode range = filters.addObject().putObject("range").putObject(ReadFields.PLATE_LEN);
            if (min > 0) range.put("gte", min);
            if (max != Integer.MAX_VALUE) range.put("lte", max);
        }

        @Override
        public int leafClauses() {
            return 1;
        }

        boolean isTrivial() {
            return min <= 0 && max == Integer.MAX_VALUE;
        }
    }

    /** At least one branch holds; each branch is a conjunction. */
    public record AnyOf(List<List<Clause>> branches) implements Clause {
        public AnyOf {
            branches = branches.stream().map(List::copyOf).toList();
            if (branches.size() < 2) throw new IllegalArgumentException("AnyOf needs at least two branches");
        }

        @Override
        public boolean matches(StoredTerms doc) {
            for (List<Clause> branch : branches) {
                if (allMatch(branch, doc)) return true;
            }
            return false;
        }

        @Override
        public void render(ArrayNode filters) {
            ObjectNode bool = filters.addObject().putObject("bool");
            ArrayNode should = bool.putArray("should");
            for (List<Clause> branch : branches) {
                ArrayNode inner = should.addObject().putObject("bool").putArray("filter");
                branch.forEach(c -> c.render(inner));
            }
            bool.put("minimum_should_match", 1);
        }

        @Override
        public int leafClauses() {
            return branches.stream().mapToInt(CandidateQuery::leafClauses).sum();
        }
    }

    private final PlateQuery query;
    private final Strategy strategy;
    private final List<Clause> clauses;

    private CandidateQuery(PlateQuery query, Strategy strategy, List<Clause> clauses) {
        this.query = query;
        this.strategy = strategy;
        this.clauses = List.copyOf(clauses);
    }

    public static CandidateQuery plan(PlateQuery query) {
        return plan(query, OcrFolding.defaults());
    }

    /** @throws PlateQueryException (unsupported) when no index-backed plan exists; the API answers 400 */
    public static CandidateQuery plan(PlateQuery query, OcrFolding folding) {
        String pattern = query.pattern();
        String q = folding.fold(pattern);
        int k = query.maxEdits();
        List<Clause> clauses = new ArrayList<>();
        if (!query.hasWildcards()) {
            if (k == 0) {
                clauses.add(query.ocr() ? new Terms(ReadFields.PLATE_OCR, List.of(q), 1)
                        : new Terms(ReadFields.PLATE_NORM, List.of(pattern), 1));
                return new CandidateQuery(query, Strategy.EXACT_TERM, clauses);
            }
            addLength(clauses, q.length() - k, q.length() + k);
            clauses.add(Terms.any(ReadFields.PLATE_DELS, new LinkedHashSet<>(PlateIndexTerms.deletions(q, k))));
            return new CandidateQuery(query, Strategy.DELETIONS, clauses);
        }
        int base = query.minLength();
        addLength(clauses, base - k, query.hasAnyRun() ? Integer.MAX_VALUE : base + k);
        if (k == 0) {
            String withoutOne = q.replace(String.valueOf(PlateQuery.ONE), "");
            if (!query.hasAnyRun() && query.singleWildcards() <= StoredTerms.STORED_DELETIONS && !withoutOne.isEmpty()) {
                // the characters under the ?s are deletions on the plate's side, so one plate_dels term
                // (a short posting list) replaces a conjunction of common grams: 9.2-10.0 -> 6.8-7.6 ms
                // per 21-day scan on 10 M reads, ~5 % more candidates (docs/benchmark-history.md, seventh session)
                clauses.add(new Terms(ReadFields.PLATE_DELS, List.of(withoutOne), 1));
                return new CandidateQuery(query, Strategy.DELETIONS, clauses);
            }
            clauses.add(Terms.all(ReadFields.PLATE_GRAMS, requiredGrams(q)));
            return new CandidateQuery(query, Strategy.GRAMS, clauses);
        }
        boolean deletions = !query.hasAnyRun() && k + query.singleWildcards() <= StoredTerms.STORED_DELETIONS;
        if (deletions) {
            String withoutOne = q.replace(String.valueOf(PlateQuery.ONE), "");
            clauses.add(Terms.any(ReadFields.PLATE_DELS, new LinkedHashSet<>(PlateIndexTerms.deletions(withoutOne, k))));
        }
        List<Set<String>> branches = knockoutBranches(q, k, 1, false);
        if (branches.stream().anyMatch(Set::isEmpty)) {
            if (!deletions) {
                throw PlateQueryException.unsupported("plate pattern " + pattern + " with max_edits " + k
                        + " has too few known characters outside wildcards to search without scanning every plate;"
                        + " give more known characters or fewer edits");
            }
            return new CandidateQuery(query, Strategy.GRAM_KNOCKOUT, clauses);
        }
        int fixed = leafClauses(clauses);
        Clause grams = branchClause(branches);
        // over the budget: fewer grams per run (each still a necessary condition): every stride-th
        // 3-gram plus the last; then a swapped pair knocked out instead (fewer, weaker branches)
        for (int n = 1; fixed + grams.leafClauses() > MAX_LEAF_CLAUSES && n < 2 * PlateIndexTerms.MAX_GRAM; n++) {
            grams = branchClause(knockoutBranches(q, k, 1 + n % PlateIndexTerms.MAX_GRAM, n >= PlateIndexTerms.MAX_GRAM));
        }
        if (fixed + grams.leafClauses() > MAX_LEAF_CLAUSES) {
            throw PlateQueryException.unsupported("plate pattern " + pattern + " with max_edits " + k
                    + " needs too large a query; give a shorter pattern or fewer edits");
        }
        clauses.add(grams);
        return new CandidateQuery(query, Strategy.GRAM_KNOCKOUT, clauses);
    }

    public PlateQuery query() {
        return query;
    }

    public Strategy strategy() {
        return strategy;
    }

    /** The conjunction; every true match satisfies every clause. */
    public List<Clause> clauses() {
        return clauses;
    }

    /** In-memory evaluation over a stored read's plate fields (same semantics as the ES query). */
    public boolean matches(StoredTerms doc) {
        return allMatch(clauses, doc);
    }

    /** {@code {"bool":{"filter":[...]}}}, to be combined with the search's other filters. */
    public ObjectNode toElasticsearchQuery() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode filters = root.putObject("bool").putArray("filter");
        clauses.forEach(c -> c.render(filters));
        return root;
    }

    /** Leaf queries of {@link #toElasticsearchQuery()}, at most {@link #MAX_LEAF_CLAUSES}. */
    public int leafClauses() {
        return leafClauses(clauses);
    }

    private static int leafClauses(List<Clause> clauses) {
        return clauses.stream().mapToInt(Clause::leafClauses).sum();
    }

    /** Number of term lookups the query makes (a size measure for tests and logs). */
    public int termCount() {
        return countTerms(clauses);
    }

    @Override
    public String toString() {
        return strategy + " " + clauses;
    }

    private static int countTerms(List<Clause> clauses) {
        int n = 0;
        for (Clause c : clauses) {
            if (c instanceof Terms t) n += t.terms().size();
            else if (c instanceof AnyOf a) for (List<Clause> b : a.branches()) n += countTerms(b);
        }
        return n;
    }

    private static boolean allMatch(List<Clause> clauses, StoredTerms doc) {
        for (Clause c : clauses) {
            if (!c.matches(doc)) return false;
        }
        return true;
    }

    private static void addLength(List<Clause> clauses, int min, int max) {
        LengthRange range = new LengthRange(Math.max(min, 0), max);
        if (!range.isTrivial()) clauses.add(range);
    }

    /**
     * The grams a plate must hold to match {@code pattern} (folded, with wildcards) literally:
     * per literal run, anchored with ^ at the pattern start and $ at its end, all 3-grams, or
     * the run itself when it is 3 characters or shorter (shorter grams are implied).
     */
    static Set<String> requiredGrams(String pattern) {
        return requiredGrams(pattern, 1);
    }

    /** As {@link #requiredGrams(String)}, keeping only every {@code stride}-th 3-gram of a run, plus its last. */
    static Set<String> requiredGrams(String pattern, int stride) {
        Set<String> out = new LinkedHashSet<>();
        int start = 0;
        for (int i = 0; i <= pattern.length(); i++) {
            if (i < pattern.length() && PlateQuery.isLiteral(pattern.charAt(i))) continue;
            if (i > start) {
                String run = (start == 0 ? String.valueOf(PlateIndexTerms.START) : "")
                        + pattern.substring(start, i)
                        + (i == pattern.length() ? String.valueOf(PlateIndexTerms.END) : "");
                int n = PlateIndexTerms.MAX_GRAM;
                if (run.length() <= n) {
                    out.add(run);
                } else {
                    for (int g = 0; g + n <= run.length(); g += stride) out.add(run.substring(g, g + n));
                    out.add(run.substring(run.length() - n));
                }
            }
            start = i + 1;
        }
        return out;
    }

    /**
     * requiredGrams of the pattern with each choice of s &lt;= {@code edits} swaps of adjacent
     * distinct literals, then min(edits - s, literals) literals replaced by {@code *}; with
     * {@code knockPairs} each swapped pair is replaced by {@code **} instead (weaker, fewer branches).
     */
    private static List<Set<String>> knockoutBranches(String pattern, int edits, int stride, boolean knockPairs) {
        List<Integer> literals = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) if (PlateQuery.isLiteral(pattern.charAt(i))) literals.add(i);
        List<Set<String>> out = new ArrayList<>();
        swapThenKnock(pattern.toCharArray(), literals, 0, edits, stride, knockPairs, out);
        return out;
    }

    private static void swapThenKnock(char[] chars, List<Integer> literals, int from, int edits, int stride, boolean knockPairs,
                                      List<Set<String>> out) {
        knock(chars, literals, 0, Math.min(edits, literals.size()), stride, out);
        if (edits == 0) return;
        for (int i = from; i + 1 < literals.size(); i++) {
            int pos = literals.get(i);
            char a = chars[pos], b = chars[pos + 1];
            if (literals.get(i + 1) != pos + 1 || a == b) continue;
            chars[pos] = knockPairs ? PlateQuery.ANY : b;
            chars[pos + 1] = knockPairs ? PlateQuery.ANY : a;
            swapThenKnock(chars, literals, i + 2, edits - 1, stride, knockPairs, out);
            chars[pos] = a;
            chars[pos + 1] = b;
        }
    }

    private static void knock(char[] chars, List<Integer> literals, int from, int left, int stride, List<Set<String>> out) {
        if (left == 0) {
            out.add(requiredGrams(new String(chars), stride));
            return;
        }
        for (int i = from; i <= literals.size() - left; i++) {
            int pos = literals.get(i);
            char saved = chars[pos];
            chars[pos] = PlateQuery.ANY;
            knock(chars, literals, i + 1, left - 1, stride, out);
            chars[pos] = saved;
        }
    }

    /**
     * OR(branches), leaving out every branch that implies another one (a doc holding gram g holds
     * every substring of g as a gram too, so a branch whose grams cover another's grams is implied
     * by it and adds nothing to the disjunction).
     */
    private static Clause branchClause(List<Set<String>> branches) {
        List<Set<String>> distinct = new ArrayList<>(new LinkedHashSet<>(branches));
        List<Set<String>> kept = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i++) {
            boolean redundant = false;
            for (int j = 0; j < distinct.size() && !redundant; j++) {
                // i implies j and, if both imply each other, keep the first one only
                redundant = i != j && covers(distinct.get(i), distinct.get(j)) && (j < i || !covers(distinct.get(j), distinct.get(i)));
            }
            if (!redundant) kept.add(distinct.get(i));
        }
        if (kept.size() == 1) return Terms.all(ReadFields.PLATE_GRAMS, kept.get(0));
        return new AnyOf(kept.stream().<List<Clause>>map(b -> List.of(Terms.all(ReadFields.PLATE_GRAMS, b))).toList());
    }

    /** Whether holding all of {@code strong} guarantees holding all of {@code weak}. */
    private static boolean covers(Set<String> strong, Set<String> weak) {
        for (String w : weak) {
            boolean found = false;
            for (String s : strong) {
                if (s.contains(w)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }
}

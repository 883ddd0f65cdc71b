package org.platewarden.search.access;

import java.util.Set;
import java.util.regex.Pattern;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.plate.LatinLookAlikes;
import org.platewarden.search.auth.Principal;

/**
 * Who may search, for what, and whose reads they see. Checked in this order, the first failing
 * rule decides: role (investigator or supervisor, else 403) -> purpose (missing or unknown 400;
 * on the prohibited list, however spelt ({@link #spelling}), 403, naming the purpose) -> case number (missing or malformed 400) ->
 * agency scope (an agency that sees no one's reads, e.g. a federal or unknown one, 403).
 * The purpose is checked before the scope so that a refusal for a prohibited purpose is recorded
 * as such even when the caller would not have seen anything anyway.
 */
public final class SearchAccessPolicy {
    public static final Set<String> SEARCH_ROLES = Set.of("investigator", "supervisor");
    /** a case number names a case, it is not free text: bounded, no control characters */
    // not ending with a space either: "DPD-1 " would be a case of its own to the audit report's exact
    // case_number filter, so an auditor asking for DPD-1 would not see its searches
    static final Pattern CASE_NUMBER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 ._/:#-]{0,62}[A-Za-z0-9._/:#-])?");

    private final Set<String> allowedPurposes;
    private final Set<String> prohibitedPurposes;
    private final AgencyScope scope;

    public SearchAccessPolicy(SearchConfig config, AgencyScope scope) {
        this.allowedPurposes = Set.copyOf(config.allowedPurposes());
        this.prohibitedPurposes = prohibitedSpellings(config);
        this.scope = scope;
    }

    /**
     * @param purpose    the request's {@code purpose} value as received (any JSON value or null)
     * @param caseNumber the request's {@code case_number} value as received
     */
    public AccessDecision decide(Principal principal, Object purpose, Object caseNumber) {
        if (principal == null) return AccessDecision.refuse(Refusal.forbidden("no authenticated principal"));
        if (principal.roles().stream().noneMatch(SEARCH_ROLES::contains)) {
            return AccessDecision.refuse(Refusal.forbidden("searching needs the role investigator or supervisor; "
                    + principal.user() + " has " + sorted(principal.roles())));
        }
        if (purpose == null) {
            return AccessDecision.refuse(Refusal.invalid("purpose is required (one of " + sorted(allowedPurposes) + ")"));
        }
        if (!(purpose instanceof String p) || p.isBlank()) {
            return AccessDecision.refuse(Refusal.invalid("purpose must be a non-empty string"));
        }
        // "Immigration Enforcement" is the prohibited purpose however it is spelt: refused as
        // prohibited (403, counted as a refusal in the transparency report), not as an unknown one
        if (prohibitedPurposes.contains(spelling(p))) {
            return AccessDecision.refuse(Refusal.forbidden(prohibitedPurpose(p, "searches")));
        }
        if (!allowedPurposes.contains(p)) {
            return AccessDecision.refuse(Refusal.invalid(unknownPurpose(p, allowedPurposes)));
        }
        if (caseNumber == null || (caseNumber instanceof String s && s.isBlank())) {
            return AccessDecision.refuse(Refusal.invalid("case_number is required"));
        }
        if (!validCaseNumber(caseNumber)) return AccessDecision.refuse(Refusal.invalid(CASE_NUMBER_RULE));
        Set<String> visible = scope.visibleAgencies(principal.agency());
        if (visible.isEmpty()) {
            return AccessDecision.refuse(Refusal.forbidden("agency " + principal.agency() + " has no access to plate reads"));
        }
        return AccessDecision.allow(visible);
    }

    public static final String CASE_NUMBER_RULE = "case_number must be 1-64 letters, digits or ' ._/:#-', starting with a letter or digit and not ending with a space";

    /**
     * A case number as searches and holds accept it: short, printable, no line breaks or control
     * characters (it is copied into logs, CSV reports and records).
     */
    public static boolean validCaseNumber(Object caseNumber) {
        return caseNumber instanceof String c && CASE_NUMBER.matcher(c).matches();
    }

    /** The prohibited purposes as {@link #spelling} writes them. */
    public static Set<String> prohibitedSpellings(SearchConfig config) {
        return config.prohibitedPurposes().stream().map(SearchAccessPolicy::spelling).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * The purpose an audit record carries: a prohibited purpose in another spelling is recorded
     * under its configured name, so the auditor's purpose filter and the transparency report count
     * the attempt where it belongs (the request's own spelling stays in the record's query).
     */
    public static String recordedPurpose(SearchConfig config, String purpose) {
        if (purpose == null) return null;
        String spelt = spelling(purpose);
        for (String prohibited : config.prohibitedPurposes()) {
            if (spelling(prohibited).equals(spelt)) return prohibited;
        }
        return purpose;
    }

    /**
     * Lower-case letters drawn like a Latin one other than the one their capital is drawn like
     * (Greek η looks like n, its capital Η like H), each followed by that Latin letter. Every other
     * look-alike is read through its capital, as plates are ({@link LatinLookAlikes}).
     */
    private static final String LOWER_CASE_LOOK_ALIKES = "ηnνvυuγyԁd";

    /**
     * A purpose's spelling ignored: case, blanks and separators (even none), full-width and other
     * compatibility forms, accents, and letters of another script that look like Latin ones.
     */
    public static String spelling(String purpose) {
        // NFKC folds full-width and other compatibility forms ("ｐｅｒｓｏｎａｌ"); NFD then splits
        // accents off their letters, and they are dropped ("pérsonal")
        String folded = java.text.Normalizer.normalize(purpose, java.text.Normalizer.Form.NFKC).toLowerCase(java.util.Locale.ROOT);
        // invisible format characters (a soft hyphen, a zero-width joiner) are dropped too: they
        // split a word without showing ("immi\u00ADgration")
        String bare = java.text.Normalizer.normalize(folded, java.text.Normalizer.Form.NFD).replaceAll("[\\p{M}\\p{Cf}]+", "");
        StringBuilder latin = new StringBuilder(bare.length());
        for (int i = 0; i < bare.length(); i++) {
            char c = bare.charAt(i);
            latin.append(c < 0x80 ? c : readAsLatin(c));
        }
        // separators do not tell purposes apart: "immigration__enforcement", "immigration.enforcement"
        // and "immigrationenforcement" are all the same prohibited purpose
        return latin.toString().replaceAll("[^\\p{L}\\p{N}]+", "");
    }

    /** "pеrsonal" with a Cyrillic е reads as "personal" to anyone but a computer. */
    private static char readAsLatin(char c) {
        int at = LOWER_CASE_LOOK_ALIKES.indexOf(c);
        if (at >= 0 && at % 2 == 0) return LOWER_CASE_LOOK_ALIKES.charAt(at + 1);
        char upper = Character.toUpperCase(c);
        if (upper < 0x80) return Character.toLowerCase(upper); // the dotless ı is an I
        char latin = LatinLookAlikes.latin(upper);
        return latin == 0 ? c : Character.toLowerCase(latin);
    }

    /** The refusal of a prohibited purpose, in the one wording of searches and holds ({@code of}: what is refused). */
    public static String prohibitedPurpose(String purpose, String of) {
        return "purpose '" + abbreviate(purpose) + "' is prohibited; " + of + " for it are refused";
    }

    /** The refusal of a purpose that is not configured, naming the allowed ones, for searches and holds alike. */
    public static String unknownPurpose(String purpose, Set<String> allowed) {
        return "unknown purpose '" + abbreviate(purpose) + "'; allowed: " + sorted(allowed);
    }

    private static String sorted(Set<String> values) {
        return String.join(", ", new java.util.TreeSet<>(values));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}

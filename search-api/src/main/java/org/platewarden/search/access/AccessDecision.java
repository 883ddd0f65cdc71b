package org.platewarden.search.access;

import java.util.Set;

/**
 * The access part of a search decision: either the agencies whose reads the caller may see
 * (never empty), or the refusal.
 */
public record AccessDecision(Set<String> visibleAgencies, Refusal refusal) {
    public AccessDecision {
        visibleAgencies = visibleAgencies == null ? Set.of() : Set.copyOf(visibleAgencies);
        if ((refusal == null) == visibleAgencies.isEmpty()) {
            throw new IllegalArgumentException("a decision either allows some agencies or refuses");
        }
    }

    public static AccessDecision allow(Set<String> visibleAgencies) {
        return new AccessDecision(visibleAgencies, null);
    }

    public static AccessDecision refuse(Refusal refusal) {
        return new AccessDecision(Set.of(), refusal);
    }

    public boolean allowed() {
        return refusal == null;
    }
}

package org.platewarden.search.auth;

import java.util.Set;

/** An authenticated caller of the search API: who, for which agency, with which roles. */
public record Principal(String user, String agency, Set<String> roles, String authMethod) {
    public Principal {
        roles = Set.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}

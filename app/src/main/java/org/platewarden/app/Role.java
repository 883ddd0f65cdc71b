package org.platewarden.app;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The roles one Platewarden process can run; {@code ./platewarden run} starts all of them. */
public enum Role {
    GATEWAY, INDEXER, SEARCH;

    public static Set<Role> parse(String csv) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String part : csv.split(",")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            if (name.equals("ALL")) return EnumSet.allOf(Role.class);
            if (name.isEmpty()) continue;
            try {
                roles.add(Role.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + part.trim() + "': gateway, indexer, search or all");
            }
        }
        if (roles.isEmpty()) throw new IllegalArgumentException("no roles given");
        return roles;
    }
}

package org.platewarden.core.net;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The methods each path of a port takes, for the {@code Allow} header a 405 must carry (RFC 9110
 * 15.5.6). Vert.x sets it only on the 405 it writes itself, so a port that writes its own JSON 405
 * asks this. A pattern's {@code :name} segment matches any one non-empty segment
 * ({@code /v1/holds/:hold_id} matches {@code /v1/holds/H1}). Vert.x Web does not answer HEAD on a
 * GET route by itself: a route that takes HEAD names it among its methods, so {@code Allow} lists HEAD
 * exactly where it works.
 */
public final class AllowedMethods {
    private final Map<String, Set<String>> byPattern = new HashMap<>();

    /** Adds a route: its path pattern and the methods it takes. */
    public AllowedMethods add(String pathPattern, Iterable<String> methods) {
        Set<String> names = byPattern.computeIfAbsent(pathPattern, p -> new TreeSet<>());
        methods.forEach(names::add);
        return this;
    }

    /** The {@code Allow} value for a request path, e.g. {@code "GET, POST"}; null when no pattern matches it. */
    public String allowFor(String path) {
        String[] segments = path.split("/", -1);
        Set<String> allowed = new TreeSet<>();
        byPattern.forEach((pattern, methods) -> {
            if (matches(pattern.split("/", -1), segments)) allowed.addAll(methods);
        });
        return allowed.isEmpty() ? null : String.join(", ", allowed);
    }

    private static boolean matches(String[] pattern, String[] path) {
        if (pattern.length != path.length) return false;
        for (int i = 0; i < pattern.length; i++) {
            boolean param = pattern[i].startsWith(":") && !path[i].isEmpty();
            if (!param && !pattern[i].equals(path[i])) return false;
        }
        return true;
    }
}

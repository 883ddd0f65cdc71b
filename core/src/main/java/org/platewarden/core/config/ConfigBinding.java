package org.platewarden.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Binds a merged config tree to {@link PlatewardenConfig}, collecting what does not fit instead of
 * stopping at it: every unknown key (Jackson would fail on the first, and the range checks after it
 * would never run), every {@code null} given for a key whose default is not null (the records
 * would turn it into an empty list or a missing section) or as an item of a list, and every value of
 * the wrong type. Each is reported, and the binding goes on without it (the default in its place, or
 * nothing), so {@link PlatewardenConfig#problems()} can list the rest in the same message.
 */
final class ConfigBinding {
    /** Enough to report a config full of them; each costs one more binding. */
    private static final int MAX_WRONG_TYPES = 50;

    private ConfigBinding() {
    }

    /**
     * @return the bound config (not validated yet), or null when the tree cannot be bound at all (the
     *         problems say why)
     */
    static PlatewardenConfig bind(ObjectMapper mapper, JsonNode defaults, JsonNode merged, List<String> problems) {
        if (!(merged.deepCopy() instanceof ObjectNode tree)) {
            problems.add("the configuration must be a JSON object, not " + merged.getNodeType().name().toLowerCase(Locale.ROOT));
            return null;
        }
        refuseNulls(defaults, tree, "", problems);
        refuseNullItems(tree, "", problems);
        // Jackson stops at a value of the wrong type: note it, set it aside and bind again
        List<String> wrongTypes = new ArrayList<>();
        while (true) {
            List<String> unknownKeys = new ArrayList<>();
            try {
                PlatewardenConfig config = mapper.readerFor(PlatewardenConfig.class).withHandler(new UnknownKeys(unknownKeys)).readValue(tree);
                problems.addAll(wrongTypes);
                problems.addAll(unknownKeys);
                return config;
            } catch (JsonMappingException e) {
                wrongTypes.add((e.getPath().isEmpty() ? "config" : path(e.getPath())) + ": " + wrongType(e, tree));
                if (wrongTypes.size() > MAX_WRONG_TYPES || !setAside(tree, defaults, e.getPath())) {
                    problems.addAll(wrongTypes);
                    problems.addAll(unknownKeys);
                    return null;
                }
            } catch (IOException e) {
                problems.add("config does not match the schema: " + e.getMessage());
                return null;
            }
        }
    }

    /** Puts the default in place of a value that did not bind, or drops it where there is none; false if it cannot. */
    private static boolean setAside(JsonNode tree, JsonNode defaults, List<JsonMappingException.Reference> path) {
        if (path.isEmpty()) return false;
        JsonNode parent = tree;
        JsonNode parentDefaults = defaults;
        for (JsonMappingException.Reference r : path.subList(0, path.size() - 1)) {
            parent = r.getFieldName() != null ? parent.get(r.getFieldName()) : parent.get(r.getIndex());
            parentDefaults = parentDefaults == null || r.getFieldName() == null ? null : parentDefaults.get(r.getFieldName());
            if (parent == null) return false;
        }
        JsonMappingException.Reference last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object && last.getFieldName() != null && object.has(last.getFieldName())) {
            JsonNode fallback = parentDefaults == null ? null : parentDefaults.get(last.getFieldName());
            if (fallback != null) object.set(last.getFieldName(), fallback.deepCopy());
            else object.remove(last.getFieldName());
            return true;
        }
        if (parent instanceof ArrayNode array && last.getIndex() >= 0 && last.getIndex() < array.size()) {
            array.remove(last.getIndex());
            return true;
        }
        return false;
    }

    /** A null item of a list (an agency, a camera, a role) would fail the records' {@code List.copyOf}. */
    private static void refuseNullItems(JsonNode node, String path, List<String> problems) {
        if (node instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                if (array.get(i).isNull()) {
                    problems.add(path + "[" + i + "] may not be null");
                    array.remove(i);
                } else {
                    refuseNullItems(array.get(i), path + "[" + i + "]", problems);
                }
            }
        } else if (node instanceof ObjectNode object) {
            object.fields().forEachRemaining(e -> refuseNullItems(e.getValue(), (path.isEmpty() ? "" : path + ".") + e.getKey(), problems));
        }
    }

    /** A null where the default is not null is a problem; the default stands in for it while binding. */
    private static void refuseNulls(JsonNode defaults, ObjectNode tree, String prefix, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> d = it.next();
            JsonNode value = tree.get(d.getKey());
            if (value == null || d.getValue().isNull()) continue;
            String name = prefix + d.getKey();
            if (value.isNull()) {
                problems.add(name + " may not be null" + (d.getValue().isArray() ? " (an empty list is [])" : ""));
                tree.set(d.getKey(), d.getValue().deepCopy());
            } else if (value instanceof ObjectNode object && d.getValue().isObject()) {
                refuseNulls(d.getValue(), object, name + ".", problems);
            }
        }
    }

    /**
     * "expected an integer, not the string \"21\"": the type the key takes and the JSON value given, or
     * Jackson's own message where either is not known.
     */
    private static String wrongType(JsonMappingException e, JsonNode tree) {
        String expected = e instanceof MismatchedInputException m && m.getTargetType() != null ? expected(m.getTargetType()) : null;
        JsonNode given = tree;
        for (JsonMappingException.Reference r : e.getPath()) {
            given = given == null ? null : r.getFieldName() != null ? given.get(r.getFieldName()) : given.get(r.getIndex());
        }
        if (expected == null || given == null || e.getPath().isEmpty()) return e.getOriginalMessage();
        return "expected " + expected + ", not " + given(given);
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class) return "an integer";
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) return "a number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class || type.isEnum()) return "a string";
        if (type.isArray() || Collection.class.isAssignableFrom(type)) return "a list";
        if (Map.class.isAssignableFrom(type) || type.isRecord()) return "an object";
        return null;
    }

    private static String given(JsonNode value) {
        if (value.isTextual()) return value.asText().isEmpty() ? "an empty string" : "the string " + value;
        if (value.isNumber()) return "the number " + value;
        if (value.isBoolean()) return value.toString();
        if (value.isArray()) return "a list";
        if (value.isObject()) return "an object";
        return value.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() != null) sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.toString();
    }

    /** Notes each unknown key with its path and the keys that would have been right, then skips it. */
    private static final class UnknownKeys extends DeserializationProblemHandler {
        private final List<String> problems;

        UnknownKeys(List<String> problems) {
            this.problems = problems;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            // the parser stands on the key's value; for an object or array value it has entered it already
            JsonStreamContext holder = p.getParsingContext();
            if (p.currentToken() != null && p.currentToken().isStructStart()) holder = holder.getParent();
            String known = deserializer == null ? "" : " (known: " + String.join(", ", new TreeSet<>(
                    deserializer.getKnownPropertyNames().stream().map(String::valueOf).toList())) + ")";
            problems.add("unknown key " + path(holder.getParent()) + propertyName + known);
            p.skipChildren(); // a handler that resolves the problem must skip the value itself
            return true;
        }

        /** The path of the object holding the key, as "gateway." or "agencies[0].". */
        private static String path(JsonStreamContext context) {
            StringBuilder sb = new StringBuilder();
            for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inArray()) sb.insert(0, "[" + c.getCurrentIndex() + "]");
                else if (c.getCurrentName() != null) sb.insert(0, (c.getParent() != null && !c.getParent().inRoot() ? "." : "") + c.getCurrentName());
            }
            return sb.length() == 0 ? "" : sb + ".";
        }
    }
}

package org.platewarden.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's results: a JSON array of result objects (one per scenario step), appended to as steps
 * finish, plus the Markdown table rendered from it.
 */
public final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** In the JSON, not in the table: file paths and long texts. */
    private static final java.util.Set<String> HIDDEN = java.util.Set.of("kind", "ack_file", "first_error", "first_missing");

    private ResultsFile() {
    }

    @SuppressWarnings("unchecked")
    public static synchronized void append(Path file, Map<String, Object> result) throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        if (Files.exists(file)) all.addAll(JSON.readValue(file.toFile(), List.class));
        all.add(result);
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), all);
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), List.class);
    }

    public static String toJson(Map<String, Object> result) throws IOException {
        return JSON.writeValueAsString(result);
    }

    /** One table per kind of step (load, e2e, search ...): the union of their keys as columns, in first-seen order. */
    public static String markdown(List<Map<String, Object>> results) {
        Map<String, List<Map<String, Object>>> byKind = new LinkedHashMap<>();
        for (Map<String, Object> r : results) byKind.computeIfAbsent(String.valueOf(r.getOrDefault("kind", "load")), k -> new ArrayList<>()).add(r);
        StringBuilder md = new StringBuilder();
        for (Map.Entry<String, List<Map<String, Object>>> e : byKind.entrySet()) {
            List<String> columns = new ArrayList<>();
            for (Map<String, Object> r : e.getValue()) for (String k : r.keySet()) if (!HIDDEN.contains(k) && !columns.contains(k)) columns.add(k);
            md.append("\n**").append(e.getKey()).append("**\n\n|");
            for (String c : columns) md.append(' ').append(c).append(" |");
            md.append("\n|");
            for (int i = 0; i < columns.size(); i++) md.append("---|");
            md.append('\n');
            for (Map<String, Object> r : e.getValue()) {
                md.append('|');
                for (String c : columns) {
                    Object v = r.get(c);
                    md.append(' ').append(v == null ? "" : String.valueOf(v).replace("|", "\\|")).append(" |");
                }
                md.append('\n');
            }
        }
        return md.toString();
    }
}

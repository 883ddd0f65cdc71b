package org.platewarden.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Jackson-annotated records (holds, index views, retention reports) to Vert.x JSON, dates as ISO-8601. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    @SuppressWarnings("unchecked")
    static JsonObject object(Object value) {
        return new JsonObject(MAPPER.convertValue(value, Map.class));
    }

    static JsonArray array(Iterable<?> values) {
        JsonArray out = new JsonArray();
        for (Object v : values) out.add(object(v));
        return out;
    }

    static <T> T read(JsonObject json, Class<T> type) {
        try {
            return MAPPER.readValue(json.encode(), type);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid request body: " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        String m = e.getMessage();
        int cut = m == null ? -1 : m.indexOf('\n');
        return cut > 0 ? m.substring(0, cut) : String.valueOf(m);
    }
}

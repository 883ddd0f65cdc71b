package org.platewarden.core.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads one item of a batch from a streaming {@link JsonParser} into a {@link ReadInput}, keeping
 * only what the native model has: unknown fields, repeated fields and wrong-typed values are
 * noted (unknown ones skipped), for the validator to refuse. The parser must stand on the item's first token; it is left on the
 * item's last one ({@code END_OBJECT} for an object), as {@link JsonParser#skipChildren()} does.
 *
 * <p>Syntax errors are the parser's and propagate as its {@link IOException}: the caller decides
 * whether they cost the whole body (a JSON document) or one line (NDJSON).
 */
public final class ReadInputReader {
    /**
     * The parser settings for camera payloads: the fast double parser (FastDoubleParser, correctly
     * rounded like {@code Double.parseDouble}) and an {@link ObjectMapper} as codec, so a caller can
     * still read an odd item (a number where a read should be) as a tree for its dead letter.
     */
    private static final JsonFactory FACTORY = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build()).getFactory();

    private ReadInputReader() {
    }

    /** The factory to create parsers for {@link #read(JsonParser)} with. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    public static ReadInput read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return ReadInput.notAnObject();
        }
        ReadInput in = ReadInput.object();
        // one bit per known field: a repeat is found without a set of names per read (this is the
        // accept path); an unknown field has no bit, it is refused anyway
        int seen = 0;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            int bit = field(p, name, p.nextToken(), in);
            if ((seen & bit) != 0) duplicate(in, "", name);
            seen |= bit;
        }
        return in;
    }

    /**
     * Reads one top-level field's value into {@code in}; returns the field's bit (0: unknown). Its own
     * method: with the switch inline, {@link #read} measured ~0.3 µs slower per read in the JMH
     * parse benchmark (4 of 5 alternating pairs); split out, it matched the code before the
     * duplicate check (twenty-second session, docs/benchmark-history.md).
     */
    private static int field(JsonParser p, String name, JsonToken value, ReadInput in) throws IOException {
        return switch (name) {
            case ReadFields.READ_ID -> {
                in.readId = text(p, value);
                yield 1;
            }
            case ReadFields.CAMERA_ID -> {
                in.cameraId = text(p, value);
                yield 1 << 1;
            }
            case ReadFields.AGENCY -> {
                in.agency = text(p, value);
                yield 1 << 2;
            }
            case ReadFields.CAPTURED_AT -> {
                in.capturedAt = text(p, value);
                yield 1 << 3;
            }
            case ReadFields.PLATE -> {
                in.plate = text(p, value);
                yield 1 << 4;
            }
            case ReadFields.PLATE_CONFIDENCE -> {
                in.plateConfidence = number(p, value);
                yield 1 << 5;
            }
            case ReadFields.REGION -> {
                in.region = text(p, value);
                yield 1 << 6;
            }
            case ReadFields.LOCATION -> {
                in.location = location(p, value, in);
                yield 1 << 7;
            }
            case ReadFields.HEADING_DEG -> {
                in.headingDeg = number(p, value);
                yield 1 << 8;
            }
            case ReadFields.LANE -> {
                in.lane = number(p, value);
                yield 1 << 9;
            }
            case ReadFields.VEHICLE -> {
                in.vehicle = vehicle(p, value, in);
                yield 1 << 10;
            }
            case ReadFields.IMAGE_REF -> {
                in.imageRef = text(p, value);
                yield 1 << 11;
            }
            default -> {
                if (in.unknownField == null) in.unknownField = name;
                p.skipChildren();
                yield 0;
            }
        };
    }

    /**
     * A read already held as a tree (the vendor adapters build one): the same reader over the
     * tree's tokens, so both paths apply exactly the same rules.
     */
    public static ReadInput read(JsonNode tree) {
        if (tree == null) return ReadInput.notAnObject();
        try (JsonParser p = tree.traverse()) {
            p.nextToken();
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // walking a tree in memory does not fail
        }
    }

    private static Object text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) return p.getText();
        return nullOrWrongType(p, t);
    }

    private static Object number(JsonParser p, JsonToken t) throws IOException {
        // getDoubleValue parses a fraction from the parser's own buffer (getNumberValue makes a
        // String of it first); the value is the same correctly rounded double either way
        if (t == JsonToken.VALUE_NUMBER_FLOAT) return p.getDoubleValue();
        if (t == JsonToken.VALUE_NUMBER_INT) return p.getNumberValue();
        return nullOrWrongType(p, t);
    }

    private static Object nullOrWrongType(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        p.skipChildren();
        return ReadInput.WRONG_TYPE;
    }

    private static Object location(JsonParser p, JsonToken t, ReadInput in) throws IOException {
        if (t != JsonToken.START_OBJECT) return nullOrWrongType(p, t);
        ReadInput.Location loc = new ReadInput.Location();
        int seen = 0;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            int bit = switch (name) {
                case "lat" -> {
                    loc.lat = number(p, value);
                    yield 1;
                }
                case "lon" -> {
                    loc.lon = number(p, value);
                    yield 1 << 1;
                }
                default -> {
                    if (loc.unknownField == null) loc.unknownField = name;
                    p.skipChildren();
                    yield 0;
                }
            };
            if ((seen & bit) != 0) duplicate(in, ReadFields.LOCATION + ".", name);
            seen |= bit;
        }
        return loc;
    }

    private static Object vehicle(JsonParser p, JsonToken t, ReadInput in) throws IOException {
        if (t != JsonToken.START_OBJECT) return nullOrWrongType(p, t);
        ReadInput.Vehicle v = new ReadInput.Vehicle();
        int seen = 0;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            int bit = switch (name) {
                case "make" -> {
                    v.make = text(p, value);
                    yield 1;
                }
                case "model" -> {
                    v.model = text(p, value);
                    yield 1 << 1;
                }
                case "color" -> {
                    v.color = text(p, value);
                    yield 1 << 2;
                }
                case "type" -> {
                    v.type = text(p, value);
                    yield 1 << 3;
                }
                default -> {
                    if (v.unknownField == null) v.unknownField = name;
                    p.skipChildren();
                    yield 0;
                }
            };
            if ((seen & bit) != 0) duplicate(in, ReadFields.VEHICLE + ".", name);
            seen |= bit;
        }
        return v;
    }

    /** Notes the first repeated field in payload order; the validator refuses the read for it. */
    private static void duplicate(ReadInput in, String prefix, String name) {
        if (in.duplicateField == null) in.duplicateField = prefix + name;
    }
}

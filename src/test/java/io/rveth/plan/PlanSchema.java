package io.rveth.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * schema/plan.schema.json for tests: validates plan documents (plan -o json, apply -o json,
 * plan --out) and parses rveth's stdout strictly as exactly one JSON document.
 */
public final class PlanSchema {
    /** Fails on anything after the first document, which a plain readTree would ignore. */
    public static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static JsonSchema schema;

    private PlanSchema() {
    }

    public static Path projectDir() {
        String dir = System.getProperty("rveth.project.dir");
        return Path.of(dir == null || dir.isBlank() ? "." : dir).toAbsolutePath().normalize();
    }

    public static Path file() {
        return projectDir().resolve("schema/plan.schema.json");
    }

    private static synchronized JsonSchema schema() {
        if (schema == null) {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_PATH).build();
            try (InputStream in = Files.newInputStream(file())) {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema;
    }

    private static JsonSchema refusalSchema;

    /** schema/refusal.schema.json: what plan and apply -o json print when they stop with an error. */
    public static synchronized JsonNode assertValidRefusal(JsonNode doc) {
        if (refusalSchema == null) {
            try (InputStream in = Files.newInputStream(projectDir().resolve("schema/refusal.schema.json"))) {
                refusalSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Set<ValidationMessage> errors = refusalSchema.validate(doc);
        assertTrue(errors.isEmpty(), "fails schema/refusal.schema.json:\n" + describe(errors) + "\n" + doc.toPrettyString());
        return doc;
    }

    public static Set<ValidationMessage> validate(JsonNode doc) {
        return schema().validate(doc);
    }

    public static String describe(Set<ValidationMessage> errors) {
        return errors.stream().map(e -> "  " + e.getMessage() + " [" + e.getType() + "]").sorted()
                .collect(Collectors.joining("\n"));
    }

    public static void assertValid(JsonNode doc, String what) {
        Set<ValidationMessage> errors = validate(doc);
        assertTrue(errors.isEmpty(), what + " fails schema/plan.schema.json:\n" + describe(errors) + "\n" + doc.toPrettyString());
    }

    /**
     * The stdout of an {@code -o json} run: exactly one JSON object, then one newline, and
     * nothing else (no log line before it, no second document after it).
     */
    public static JsonNode parseSingleDocument(String stdout) {
        assertTrue(stdout.startsWith("{"), "stdout must start with the JSON document:\n" + stdout);
        assertTrue(stdout.endsWith("}\n"), "stdout must end with the document and one newline:\n" + stdout);
        try {
            JsonNode doc = STRICT.readTree(stdout);
            assertTrue(doc.isObject(), "stdout is JSON, but not an object:\n" + stdout);
            return doc;
        } catch (IOException e) {
            throw new AssertionError("stdout is not exactly one JSON document: " + e.getMessage() + "\n" + stdout, e);
        }
    }
}

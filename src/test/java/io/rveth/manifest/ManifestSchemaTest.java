package io.rveth.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Checks schema/manifest.schema.json against the manifests that ship with rveth: every
 * example in manifests/ must be valid, and every fixture in
 * src/test/resources/manifests/schema-invalid/ must be rejected, for the reason its first
 * line names.
 *
 * <p>Each broken fixture starts with a one-line comment of the form
 * {@code # what is wrong (expect error at: $.json.path)}: the test requires at least one
 * error and every error to lie at or below that path, so a fixture cannot pass by being
 * broken somewhere else by mistake.
 */
class ManifestSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXPECT = Pattern.compile("^#.*\\(expect error at: (\\$[^)]*)\\)\\s*$");

    private static Path projectDir;
    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        projectDir = projectDir();
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_PATH)
                .build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        try (InputStream in = Files.newInputStream(schemaFile())) {
            schema = factory.getSchema(in, config);
        }
    }

    static Path projectDir() {
        String dir = System.getProperty("rveth.project.dir");
        return Path.of(dir == null || dir.isBlank() ? "." : dir).toAbsolutePath().normalize();
    }

    static Path schemaFile() {
        return projectDir().resolve("schema/manifest.schema.json");
    }

    static Stream<String> manifests() throws IOException {
        return yamlFiles(projectDir().resolve("manifests")).stream();
    }

    static Stream<String> invalidFixtures() throws IOException {
        return yamlFiles(invalidDir()).stream();
    }

    private static Path invalidDir() {
        return projectDir().resolve("src/test/resources/manifests/schema-invalid");
    }

    private static List<String> yamlFiles(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), "missing directory " + dir);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /** Loads YAML the way rveth does (snakeyaml-engine, YAML 1.2 core schema) as a Jackson tree. */
    private static JsonNode loadYaml(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Object doc = new Load(LoadSettings.builder().build()).loadFromString(text);
        return JSON.valueToTree(doc);
    }

    private static String describe(Set<ValidationMessage> errors) {
        return errors.stream()
                .map(e -> "  " + e.getMessage() + " [" + e.getType() + "]")
                .sorted()
                .collect(Collectors.joining("\n"));
    }

    /** JSON_PATH writes kebab-case keys as {@code $.host['route-protocol']}; fixtures write {@code $.host.route-protocol}. */
    private static String dotted(String jsonPath) {
        return jsonPath.replaceAll("\\['([^'\\]]*)'\\]", ".$1");
    }

    @Test
    void schemaIsAValidDraft202012Schema() throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonSchema meta = factory.getSchema(SchemaLocation.of(SchemaId.V202012));
        JsonNode schemaNode = JSON.readTree(schemaFile().toFile());
        Set<ValidationMessage> errors = meta.validate(schemaNode);
        assertTrue(errors.isEmpty(), "schema/manifest.schema.json is not a valid 2020-12 schema:\n" + describe(errors));
        assertEquals("https://rveth.io/schema/manifest.schema.json", schemaNode.path("$id").asText());
        assertEquals("https://json-schema.org/draft/2020-12/schema", schemaNode.path("$schema").asText());
    }

    @Test
    void manifestsFolderHoldsTheDemoAndExamples() throws IOException {
        List<String> files = yamlFiles(projectDir.resolve("manifests"));
        assertTrue(files.size() >= 3, "expected at least 3 manifests in manifests/, found " + files);
        assertTrue(files.contains("demo.yaml"), "manifests/demo.yaml is missing: " + files);
    }

    @Test
    void enoughInvalidFixtures() throws IOException {
        List<String> files = yamlFiles(invalidDir());
        assertTrue(files.size() >= 8, "expected at least 8 schema-invalid fixtures, found " + files);
    }

    @ParameterizedTest(name = "manifests/{0} is valid")
    @MethodSource("manifests")
    void shippedManifestIsValid(String name) throws IOException {
        JsonNode doc = loadYaml(projectDir.resolve("manifests").resolve(name));
        Set<ValidationMessage> errors = schema.validate(doc);
        assertTrue(errors.isEmpty(), "manifests/" + name + " fails the schema:\n" + describe(errors));
    }

    @ParameterizedTest(name = "schema-invalid/{0} is rejected")
    @MethodSource("invalidFixtures")
    void brokenFixtureIsRejected(String name) throws IOException {
        Path file = invalidDir().resolve(name);
        String firstLine = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
        Matcher m = EXPECT.matcher(firstLine);
        assertTrue(m.matches(), name + ": first line must be '# what is wrong (expect error at: $.path)', was: " + firstLine);
        String expected = m.group(1);

        JsonNode doc = loadYaml(file);
        assertNotNull(doc, name + " is empty");
        Set<ValidationMessage> errors = schema.validate(doc);
        assertFalse(errors.isEmpty(), name + " passes the schema, but should not: " + firstLine);
        for (ValidationMessage error : errors) {
            String at = dotted(error.getInstanceLocation().toString());
            assertTrue(at.equals(expected) || at.startsWith(expected + ".") || at.startsWith(expected + "["),
                    name + ": error outside " + expected + " (is the fixture broken in more than one way?)\n"
                            + describe(errors));
        }
    }
}

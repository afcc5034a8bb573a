package io.rveth.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * schema/plan.schema.json itself, and what it rejects: each case below breaks one thing in
 * a real plan (a golden plan.json) and the schema must notice. That real documents pass is
 * checked where they are made: GoldenPlanTest and PlanJsonIT.
 */
class PlanSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode golden(String name) {
        try {
            return JSON.readTree(PlanSchema.projectDir().resolve("src/test/resources/golden").resolve(name).resolve("plan.json").toFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode schemaNode() throws IOException {
        return JSON.readTree(PlanSchema.file().toFile());
    }

    @Test
    void isAValidDraft202012Schema() throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonNode schema = schemaNode();
        Set<ValidationMessage> errors = factory.getSchema(SchemaLocation.of(SchemaId.V202012)).validate(schema);
        assertTrue(errors.isEmpty(), "not a valid 2020-12 schema:\n" + PlanSchema.describe(errors));
        assertEquals("https://rveth.io/schema/plan.schema.json", schema.path("$id").asText());
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asText());
        assertTrue(schema.path("description").asText().contains("consumers must ignore keys they do not know"),
                "the schema says how minor versions evolve");
    }

    /** Every property and every definition says what it is; every object we define is closed. */
    @Test
    void everyPropertyIsDescribedAndEveryObjectClosed() throws IOException {
        List<String> problems = new ArrayList<>();
        walk(schemaNode(), "#", problems);
        schemaNode().path("$defs").fields().forEachRemaining(d -> {
            if (!d.getValue().has("description")) problems.add("#/$defs/" + d.getKey() + " has no description");
        });
        assertEquals(List.of(), problems);
    }

    private static final Set<String> CONDITIONS = Set.of("if", "then", "else", "not");

    private static void walk(JsonNode node, String at, List<String> problems) {
        if (node.isObject()) {
            if (node.has("properties") && !node.path("additionalProperties").isBoolean()) {
                problems.add(at + " has properties but no \"additionalProperties\": false");
            }
            node.path("properties").fields().forEachRemaining(p -> {
                if (!p.getValue().has("description")) problems.add(at + "/properties/" + p.getKey() + " has no description");
            });
            // if/then/else and not only constrain properties defined elsewhere.
            node.fields().forEachRemaining(f -> {
                if (!CONDITIONS.contains(f.getKey())) walk(f.getValue(), at + "/" + f.getKey(), problems);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) walk(node.get(i), at + "/" + i, problems);
        }
    }

    // ---- mutations ----------------------------------------------------------------------------

    /** Changes of the golden plans the mutations work on. */
    static final String ROUTE_DELETE = "route.host[\"10.20.0.0/24\"]";
    static final String ADDRESS_REPLACE = "address.rvgold-prefix-change-db.eth0[\"10.20.0.1/25\"]";
    static final String ROUTE_CREATE = "route.host[\"10.20.0.0/25\"]";
    static final String VETH_CREATE = "veth.web[\"eth0\"]";
    static final String LO_UPDATE = "link.host[\"lo\"]";

    static ObjectNode change(JsonNode doc, String address) {
        for (JsonNode c : doc.get("resource_changes")) if (c.get("address").asText().equals(address)) return (ObjectNode) c;
        throw new AssertionError("no change " + address);
    }

    static ObjectNode at(JsonNode doc, String pointer) {
        return (ObjectNode) doc.at(pointer);
    }

    static Arguments mutation(String what, String base, Consumer<ObjectNode> mutate) {
        return Arguments.of(what, base, mutate);
    }

    static Stream<Arguments> mutations() {
        String prefix = "prefix-change";
        String scratch = "from-scratch";
        return Stream.of(
                mutation("format version 2.0", prefix, d -> d.put("format_version", "2.0")),
                mutation("an unknown top-level key", prefix, d -> d.put("created_at", "2025-01-01T00:00:00Z")),
                mutation("no tool_version", prefix, d -> d.remove("tool_version")),
                mutation("an upper-case digest", prefix, d -> d.put("manifest_digest", d.get("manifest_digest").asText().toUpperCase())),
                mutation("a digest without its algorithm", prefix, d -> d.put("live_state_digest", d.get("live_state_digest").asText().substring(7))),
                mutation("an unknown operation", prefix, d -> d.put("operation", "destroy")),
                mutation("no manifests", prefix, d -> d.putArray("manifests")),
                mutation("a summary without remove", prefix, d -> at(d, "/summary").remove("remove")),
                mutation("a negative count", prefix, d -> at(d, "/summary").put("add", -1)),
                mutation("a count as text", prefix, d -> at(d, "/summary").put("change", "0")),
                mutation("changed false with changes", prefix, d -> d.put("changed", false)),
                mutation("changed true without changes", "converged", d -> d.put("changed", true)),
                mutation("an apply section in a plan", "converged", d -> d.putObject("apply").put("status", "no-op")
                        .putObject("verification").put("status", "passed").putArray("remaining")),
                mutation("actions in the wrong order", prefix, d -> change(d, ADDRESS_REPLACE).putArray("actions").add("create").add("delete")),
                mutation("an unknown action", prefix, d -> change(d, ROUTE_CREATE).putArray("actions").add("recreate")),
                mutation("actions as a string", prefix, d -> change(d, ROUTE_CREATE).put("actions", "create")),
                mutation("an unknown type", prefix, d -> change(d, ROUTE_CREATE).put("type", "bridge")),
                mutation("an address not starting with its type", prefix, d -> change(d, ROUTE_CREATE).put("address", "addr.host[\"10.20.0.0/25\"]")),
                mutation("an unknown key in a change", prefix, d -> change(d, ROUTE_CREATE).put("index", 3)),
                mutation("a negative stage", prefix, d -> change(d, ROUTE_CREATE).put("stage", -1)),
                mutation("a route change holding an address", prefix, d -> change(d, ROUTE_DELETE).set("before", change(d, ADDRESS_REPLACE).get("before").deepCopy())),
                mutation("a create with something before it", prefix, d -> change(d, ROUTE_CREATE).set("before", change(d, ROUTE_CREATE).get("after").deepCopy())),
                mutation("a delete with something after it", prefix, d -> change(d, ROUTE_DELETE).set("after", change(d, ROUTE_DELETE).get("before").deepCopy())),
                mutation("a route without its metric", prefix, d -> at(change(d, ROUTE_CREATE), "/after").remove("metric")),
                mutation("an unknown key in a route", prefix, d -> at(change(d, ROUTE_CREATE), "/after").put("table", 254)),
                mutation("an address without its length", prefix, d -> at(change(d, ADDRESS_REPLACE), "/after").put("address", "10.20.0.1")),
                mutation("a change without commands", prefix, d -> change(d, ROUTE_CREATE).putArray("commands")),
                mutation("a command without its shell form", prefix, d -> ((ObjectNode) change(d, ROUTE_CREATE).at("/commands/0")).remove("shell")),
                mutation("a command whose netns is a number", prefix, d -> ((ObjectNode) change(d, ROUTE_CREATE).at("/commands/0")).put("netns", 5)),
                mutation("an ip command not starting with ip", prefix, d -> ((ObjectNode) change(d, ROUTE_CREATE).at("/commands/0"))
                        .put("shell", "sudo " + change(d, ROUTE_CREATE).at("/commands/0/shell").asText())),
                mutation("empty args", prefix, d -> ((ObjectNode) change(d, ROUTE_CREATE).at("/commands/0")).putArray("args")),
                mutation("a veth end with an unknown key", scratch, d -> at(change(d, VETH_CREATE), "/after/host").put("ifindex", 7)),
                mutation("a veth without its peer", scratch, d -> at(change(d, VETH_CREATE), "/after").remove("peer")),
                mutation("a veth holding a namespace", scratch, d -> change(d, VETH_CREATE).set("after", change(d, LO_UPDATE).get("after").deepCopy())),
                mutation("a namespace with lo up as text", scratch, d -> at(change(d, LO_UPDATE), "/after").put("loopback-up", "true")),
                mutation("a sysctl value as a number", scratch, d -> at(change(d, "sysctl.host[\"net.ipv4.conf.all.forwarding\"]"), "/after").put("value", 1)));
    }

    @ParameterizedTest(name = "rejects {0}")
    @MethodSource("mutations")
    void rejectsABrokenPlan(String what, String base, Consumer<ObjectNode> mutate) {
        JsonNode original = golden(base);
        assertTrue(PlanSchema.validate(original).isEmpty(), base + "/plan.json itself must pass");
        ObjectNode broken = original.deepCopy();
        mutate.accept(broken);
        assertFalse(broken.equals(original), "the mutation changed nothing");
        assertFalse(PlanSchema.validate(broken).isEmpty(), "the schema accepts a plan with " + what);
    }

    /** Keys a minor version might add are rejected here on purpose (see the schema's description). */
    @Test
    void unknownKeysAreRejectedEverywhereWeDefineAnObject() {
        JsonNode doc = golden("prefix-change");
        for (String pointer : List.of("", "/summary", "/resource_changes/0", "/resource_changes/0/commands/0",
                "/resource_changes/0/before", "/resource_changes/1/after")) {
            ObjectNode broken = doc.deepCopy();
            ((ObjectNode) broken.at(pointer)).put("x-new", true);
            assertFalse(PlanSchema.validate(broken).isEmpty(), "an unknown key at " + (pointer.isEmpty() ? "/" : pointer) + " passes");
        }
    }

    @Test
    void theGoldenPlansAreWhatTheMutationsExpect() {
        JsonNode prefix = golden("prefix-change");
        assertEquals("delete", change(prefix, ROUTE_DELETE).at("/actions/0").asText());
        assertEquals(2, change(prefix, ADDRESS_REPLACE).get("actions").size());
        assertEquals("create", change(prefix, ROUTE_CREATE).at("/actions/0").asText());
        JsonNode scratch = golden("from-scratch");
        assertEquals("veth", change(scratch, VETH_CREATE).get("type").asText());
        assertEquals("link", change(scratch, LO_UPDATE).get("type").asText());
    }
}

package io.rveth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rveth.apply.ApplyLock;
import io.rveth.apply.Reconciler;
import io.rveth.plan.PlanException;
import io.rveth.plan.PlanSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -o json when plan or apply stops with an error: one document on stdout, as schema/refusal.schema.json says. */
class RefusalTest {
    static JsonNode valid(JsonNode doc) {
        return PlanSchema.assertValidRefusal(doc);
    }

    @Test
    void anInvalidManifestIsOneDocumentOnStdoutWithEveryProblemAndItsPlace(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\ncontainers:\n  web:\n    interfaces:\n      eth0: {mtu: 12, addresses: [300.0.0.1]}\n");
        for (String command : List.of("plan", "apply")) {
            CliInputsTest.Run r = CliInputsTest.rveth(command, "-o", "json", "-f", bad.toString());
            assertEquals(ExitCodes.INVALID_MANIFEST, r.exit(), r.toString());
            JsonNode doc = valid(PlanSchema.parseSingleDocument(r.out()));
            assertEquals(command, doc.get("operation").asText());
            assertEquals(65, doc.get("exit_code").asInt());
            assertFalse(doc.get("changed").asBoolean(true));
            assertEquals(2, doc.get("errors").size(), doc.toPrettyString());
            JsonNode first = doc.get("errors").get(0);
            assertEquals("invalid-manifest", first.get("kind").asText());
            assertEquals(bad.toString(), first.get("file").asText());
            assertEquals(5, first.get("line").asInt());
            assertTrue(r.err().contains("Error: the manifest is invalid"), "stderr keeps the text: " + r.err());
        }
    }

    @Test
    void withoutJsonStdoutStaysEmpty(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 2\n");
        CliInputsTest.Run r = CliInputsTest.rveth("plan", "-f", bad.toString());
        assertEquals(ExitCodes.INVALID_MANIFEST, r.exit());
        assertEquals("", r.out());
    }

    @Test
    void eachKindOfRefusalSaysNothingChangedAndOtherErrorsSayUnknown() throws Exception {
        JsonNode conflict = valid(Refusal.document("plan", new PlanException(List.of("a", "b")), 1));
        assertEquals(List.of("conflict", "conflict"), conflict.get("errors").findValuesAsText("kind"));
        assertFalse(conflict.get("changed").asBoolean(true));
        JsonNode stale = valid(Refusal.document("apply", new Reconciler.StalePlanException("the manifest changed"), 1));
        assertEquals("stale-plan", stale.get("errors").get(0).get("kind").asText());
        JsonNode busy = valid(Refusal.document("apply", new ApplyLock.BusyException(Path.of("/run/rveth/x.lock"),
                OptionalLong.of(42), Duration.ofSeconds(10)), 1));
        assertEquals("lock-busy", busy.get("errors").get(0).get("kind").asText());
        JsonNode other = valid(Refusal.document("apply", new IllegalStateException("ip exited 255"), 1));
        assertEquals("error", other.get("errors").get(0).get("kind").asText());
        assertTrue(other.get("changed").isNull(), "an error that may come after a change does not claim nothing changed");
        assertFalse(valid(Refusal.document("plan", new IllegalStateException("ip exited 255"), 1)).get("changed").asBoolean(true),
                "plan never changes anything");
        assertTrue(valid(Refusal.document("apply", new java.io.UncheckedIOException(new java.io.IOException("x")) {
            @Override
            public String getMessage() {
                return "RTNETLINK answers: Operation not permitted";
            }
        }, 1)).get("errors").get(0).get("message").asText().endsWith("run it as root)"), "the hint stderr gives");
    }
}

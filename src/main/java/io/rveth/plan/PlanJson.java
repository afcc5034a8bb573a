package io.rveth.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rveth.model.Netns;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine-readable plan ({@code plan -o json}, {@code apply -o json}, and the
 * {@code --out} file), described by {@code schema/plan.schema.json}. Envelope keys are
 * snake_case, object keys kebab-case as in the manifest. Minor versions only add fields.
 */
public final class PlanJson {
    public static final String FORMAT_VERSION = "1.2";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PlanJson() {
    }

    /**
     * A plan with what it was made from: enough to apply it later and to refuse when the
     * manifest or the host changed meanwhile.
     *
     * @param manifests      the manifest files, as given to {@code -f} (expanded directories)
     * @param manifestDigest {@link StateDigest} of the desired state
     * @param liveDigest     {@link StateDigest} of the owned live state the plan was made against
     * @param liveSource     "kernel", or the snapshot file planned against
     * @param adopt          made with --adopt: a saved plan is checked for freshness the same way
     */
    public record Document(String operation, String toolVersion, Netns host, List<String> manifests,
                           String manifestDigest, String liveDigest, String liveSource, Plan plan, boolean adopt) {
        public Document {
            manifests = List.copyOf(manifests);
        }
    }

    public static ObjectNode write(Document d) {
        ObjectNode root = F.objectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("tool_version", d.toolVersion());
        root.put("operation", d.operation());
        root.put("host_netns", d.host().name());
        ArrayNode files = root.putArray("manifests");
        d.manifests().forEach(files::add);
        root.put("manifest_digest", d.manifestDigest());
        root.put("live_state_digest", d.liveDigest());
        root.put("live_source", d.liveSource());
        root.put("adopt", d.adopt());
        root.put("changed", !d.plan().isEmpty());
        ObjectNode summary = root.putObject("summary");
        summary.put("add", d.plan().toAdd());
        summary.put("change", d.plan().toChange());
        summary.put("remove", d.plan().toDestroy());
        ArrayNode warnings = root.putArray("warnings");
        d.plan().warnings().forEach(warnings::add);
        ArrayNode changes = root.putArray("resource_changes");
        for (Change c : d.plan().changes()) changes.add(change(c));
        return root;
    }

    static ObjectNode change(Change c) {
        ObjectNode n = F.objectNode();
        n.put("address", c.address());
        n.put("type", c.type());
        n.put("namespace", c.netns().name());
        ArrayNode actions = n.putArray("actions");
        actions(c.action()).forEach(actions::add);
        n.put("summary", c.summary());
        n.put("reason", c.reason());
        n.put("stage", c.stage());
        n.set("before", ModelJson.of(c.before()));
        n.set("after", ModelJson.of(c.after()));
        ArrayNode commands = n.putArray("commands");
        for (Command cmd : c.commands()) {
            ObjectNode o = commands.addObject();
            if (cmd.netns() == null) o.putNull("netns");
            else o.put("netns", cmd.netns().name());
            o.put("via_ip", cmd.viaIp());
            if (cmd.ipv6()) o.put("ipv6", true);
            ArrayNode args = o.putArray("args");
            cmd.args().forEach(args::add);
            o.put("shell", cmd.shell());
        }
        return n;
    }

    private static List<String> actions(Action a) {
        return switch (a) {
            case CREATE -> List.of("create");
            case UPDATE -> List.of("update");
            case DELETE -> List.of("delete");
            case REPLACE -> List.of("delete", "create");
        };
    }

    /** Reads a saved plan back; its changes carry their commands but no before/after objects. */
    public static Document read(JsonNode root, String label) {
        String version = root.path("format_version").asText("");
        if (!version.startsWith("1.")) {
            throw new IllegalArgumentException(label + " is not an rveth plan of format 1.x (format_version \"" + version + "\")");
        }
        List<String> manifests = new ArrayList<>();
        for (JsonNode m : root.path("manifests")) manifests.add(m.asText());
        List<Change> changes = new ArrayList<>();
        for (JsonNode c : root.path("resource_changes")) {
            List<Command> commands = new ArrayList<>();
            for (JsonNode cmd : c.path("commands")) {
                List<String> args = new ArrayList<>();
                for (JsonNode a : cmd.path("args")) args.add(a.asText());
                Netns ns = cmd.path("netns").isNull() ? null : new Netns(cmd.path("netns").asText());
                commands.add(new Command(ns, args, cmd.path("via_ip").asBoolean(true), cmd.path("ipv6").asBoolean(false)));
            }
            changes.add(new Change(action(c.path("actions"), label), c.path("address").asText(), c.path("type").asText(),
                    new Netns(c.path("namespace").asText()), c.path("summary").asText(), c.path("reason").asText(),
                    commands, c.path("stage").asInt(), null, null));
        }
        return new Document(root.path("operation").asText(), root.path("tool_version").asText(),
                new Netns(root.path("host_netns").asText()), manifests, root.path("manifest_digest").asText(),
                root.path("live_state_digest").asText(), root.path("live_source").asText(), new Plan(changes, warnings(root)),
                root.path("adopt").asBoolean(false));
    }

    private static List<String> warnings(JsonNode root) {
        List<String> out = new ArrayList<>();
        root.path("warnings").forEach(w -> out.add(w.asText()));
        return out;
    }

    private static Action action(JsonNode actions, String label) {
        List<String> words = new ArrayList<>();
        actions.forEach(a -> words.add(a.asText()));
        for (Action a : Action.values()) if (actions(a).equals(words)) return a;
        throw new IllegalArgumentException(label + ": unknown actions " + words);
    }
}

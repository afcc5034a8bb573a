package io.rveth.live;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rveth.model.Netns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A saved read of a host ({@code rveth snapshot}): the raw {@code ip -j} documents, so that
 * {@code plan --live FILE} runs the same parser without root, on another machine. Golden
 * test cases use the same format as their {@code live.json}.
 */
public final class Snapshot implements LiveDumps.Source {
    public static final String FORMAT_VERSION = "1.0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveDumps dumps;
    private final String label;

    private Snapshot(LiveDumps dumps, String label) {
        this.dumps = dumps;
        this.label = label;
    }

    /**
     * Reads a snapshot one namespace's read at a time, so that only one read's JSON tree
     * is in memory at once (the whole file as one tree would be ten times its size).
     */
    public static Snapshot load(Path file) throws IOException {
        String label = "snapshot " + file;
        ObjectNode header = JSON.createObjectNode();
        ReadsBuilder reads = new ReadsBuilder(label);
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) return new Snapshot(fromJson(JSON.nullNode(), file.toString()), label);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("reads") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) reads.add(JSON.readTree(p));
                } else {
                    header.set(field, JSON.readTree(p));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IpOutputException("snapshot " + file + " is not JSON: " + e.getOriginalMessage());
        }
        checkFormat(header, file.toString());
        return new Snapshot(reads.dumps(header), label);
    }

    static LiveDumps fromJson(JsonNode root, String label) {
        checkFormat(root, label);
        ReadsBuilder reads = new ReadsBuilder(label);
        for (JsonNode read : root.path("reads")) reads.add(read);
        return reads.dumps(root);
    }

    private static void checkFormat(JsonNode root, String label) {
        if (root == null || !root.path("format_version").asText("").startsWith("1.")) {
            throw new IpOutputException(label + " is not an rveth snapshot of format 1.x (no \"format_version\": \"1.0\")");
        }
    }

    /** The reads of a snapshot, turned into {@link NamespaceDump}s (text, not trees) one by one. */
    private static final class ReadsBuilder {
        private final String label;
        private NamespaceDump hostDump;
        private final Map<Netns, NamespaceDump> containers = new TreeMap<>();

        ReadsBuilder(String label) {
            this.label = label;
        }

        void add(JsonNode read) {
            Netns ns = new Netns(read.path("netns").asText(""));
            boolean isHost = read.path("host").asBoolean(false);
            List<String> commands = LiveDumps.commands(isHost);
            JsonNode[] docs = new JsonNode[commands.size()];
            for (int i = 0; i < docs.length; i++) {
                docs[i] = read.path("output").get(commands.get(i));
                // Snapshots from before rveth read proxy entries have none: null, read as "none".
                if (docs[i] == null && !commands.get(i).equals(NamespaceDump.PROXIES_COMMAND)) {
                    throw new IpOutputException(label + ": the read of netns " + ns + " has no \"" + commands.get(i) + "\"");
                }
            }
            // Snapshots from before rveth read IPv6 rules have none: null, read as "no rules".
            NamespaceDump d = isHost ? new NamespaceDump(ns, docs[0], docs[1], docs[2], docs[3], docs[4],
                    read.path("output").get(NamespaceDump.RULES_COMMAND), docs[5])
                    : new NamespaceDump(ns, docs[0], docs[1], null, null, null);
            if (isHost) hostDump = d;
            else containers.put(ns, d);
        }

        LiveDumps dumps(JsonNode header) {
            Netns host = new Netns(header.path("host_netns").asText(""));
            Set<Netns> existing = new TreeSet<>();
            for (JsonNode n : header.path("namespaces")) existing.add(new Netns(n.asText()));
            return new LiveDumps(host, existing, hostDump, containers);
        }
    }

    public static ObjectNode toJson(LiveDumps d, String toolVersion) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("tool_version", toolVersion);
        root.put("host_netns", d.host().name());
        ArrayNode ns = root.putArray("namespaces");
        new TreeSet<>(d.existing()).forEach(n -> ns.add(n.name()));
        ArrayNode reads = root.putArray("reads");
        if (d.hostDump() != null) reads.add(read(d.hostDump(), true));
        new TreeMap<>(d.containers()).values().forEach(c -> reads.add(read(c, false)));
        return root;
    }

    private static ObjectNode read(NamespaceDump d, boolean host) {
        ObjectNode r = JSON.createObjectNode();
        r.put("netns", d.netns().name());
        r.put("host", host);
        ObjectNode out = r.putObject("output");
        List<String> commands = LiveDumps.commands(host);
        JsonNode[] docs = {d.addresses(), d.routes(), d.netconf(), d.nsids(), d.links(), d.proxies()};
        for (int i = 0; i < commands.size(); i++) if (docs[i] != null) out.set(commands.get(i), docs[i]);
        if (host && d.rules() != null) out.set(NamespaceDump.RULES_COMMAND, d.rules());
        return r;
    }

    @Override
    public LiveDumps read(Netns host, Set<Netns> containers, boolean followPeers) {
        if (!host.equals(dumps.host())) {
            throw new IpOutputException(label + " was taken of host netns " + dumps.host() + ", not " + host
                    + "; take a snapshot with the same manifest (rveth snapshot -f ...)");
        }
        for (Netns c : containers) {
            if (dumps.existing().contains(c) && !c.equals(host) && !dumps.containers().containsKey(c)) {
                throw new IpOutputException(label + " has no read of netns " + c
                        + ", which the manifest needs; take the snapshot with -f and this manifest");
            }
        }
        return dumps;
    }

    @Override
    public String describe() {
        return label;
    }
}

package io.rveth.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rveth.model.Netns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON one {@code ip -N -j -batch -} read of a namespace printed: one document per
 * command of {@link #HOST_COMMANDS} or {@link #CONTAINER_COMMANDS}. {@code netconf},
 * {@code nsids}, {@code links} and {@code proxies} are null for container namespaces,
 * which need none of them; {@code rules} and {@code proxies} are null in a snapshot taken
 * before rveth read them, which means none.
 */
public record NamespaceDump(Netns netns, JsonNode addresses, JsonNode routes, JsonNode netconf, JsonNode nsids,
                            JsonNode links, JsonNode rules, JsonNode proxies) {
    /** Batch lines cannot say -6, so the IPv6 rules are a second, one-command read of the host. */
    public static final String RULES_COMMAND = "-6 rule show";

    public NamespaceDump(Netns netns, JsonNode addresses, JsonNode routes, JsonNode netconf, JsonNode nsids, JsonNode links) {
        this(netns, addresses, routes, netconf, nsids, links, null, null);
    }

    /** The same read with the host's IPv6 rules ({@code ip -6 -N -j rule show}) added. */
    public NamespaceDump withRules(String output) {
        List<JsonNode> docs = documents(netns, output);
        if (docs.size() != 1) throw new IpOutputException("ip -6 rule show in netns " + netns + " printed " + docs.size() + " JSON documents");
        return new NamespaceDump(netns, addresses, routes, netconf, nsids, links, docs.get(0), proxies);
    }

    /**
     * One process reads everything the host side needs; see {@link LiveParser}. The link
     * list is there for the aliases, which {@code addr show} leaves out.
     */
    public static final List<String> HOST_COMMANDS =
            List.of("addr show", "route show table all", "netconf show", "netns list-id", "link show", "neigh show proxy");
    public static final List<String> CONTAINER_COMMANDS = List.of("addr show", "route show table all");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Splits the output of a batch read into its documents; anything else is an error. */
    public static NamespaceDump parse(Netns netns, String output, boolean host) {
        List<String> commands = host ? HOST_COMMANDS : CONTAINER_COMMANDS;
        List<JsonNode> docs = documents(netns, output);
        if (docs.size() != commands.size()) {
            throw new IpOutputException("ip in netns " + netns + " printed " + docs.size() + " JSON documents for "
                    + commands.size() + " commands (" + String.join(", ", commands) + ")");
        }
        return host ? new NamespaceDump(netns, docs.get(0), docs.get(1), docs.get(2), docs.get(3), docs.get(4), null, docs.get(5))
                : new NamespaceDump(netns, docs.get(0), docs.get(1), null, null, null);
    }

    private static List<JsonNode> documents(Netns netns, String output) {
        List<JsonNode> docs = new ArrayList<>();
        // Not readValues(): it would unwrap the first top-level array into its elements.
        try (JsonParser parser = JSON.getFactory().createParser(output)) {
            while (parser.nextToken() != null) docs.add(JSON.readTree(parser));
        } catch (JsonProcessingException e) {
            throw new IpOutputException("ip in netns " + netns + " printed output that is not JSON ("
                    + e.getOriginalMessage() + "); rveth needs iproute2 with -j support (4.17 or later)");
        } catch (IOException | RuntimeException e) {
            throw new IpOutputException("ip in netns " + netns + " printed output that is not JSON: " + e.getMessage());
        }
        return docs;
    }
}

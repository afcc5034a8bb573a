package io.rveth.live;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rveth.model.Netns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The JSON one {@code ip -N -j -batch -} read of a namespace printed: one document per
 * command of {@link #HOST_COMMANDS} or {@link #CONTAINER_COMMANDS}. {@code netconf},
 * {@code nsids}, {@code links} and {@code proxies} are null for container namespaces,
 * which need none of them; {@code rules} and {@code proxies} are null in a snapshot taken
 * before rveth read them, which means none.
 *
 * <p>Each document is kept as its text, checked to be JSON when read, and parsed into a
 * tree only when asked for ({@link #addresses()} and the others parse anew on every call).
 * A tree takes ten to twenty times the memory of its text; holding every namespace's
 * trees at once took 370-400 MB of heap at 5,000 containers, while {@link LiveParser}
 * needs only one namespace's at a time.
 */
public final class NamespaceDump {
    /** Batch lines cannot say -6, so the IPv6 rules are a second, one-command read of the host. */
    public static final String RULES_COMMAND = "-6 rule show";
    /** The host's proxy neighbour entries; snapshots from before rveth read them lack it. */
    public static final String PROXIES_COMMAND = "neigh show proxy";

    /**
     * One process reads everything the host side needs; see {@link LiveParser}. The link
     * list is there for the aliases, which {@code addr show} leaves out.
     */
    public static final List<String> HOST_COMMANDS =
            List.of("addr show", "route show table all", "netconf show", "netns list-id", "link show", PROXIES_COMMAND);
    public static final List<String> CONTAINER_COMMANDS = List.of("addr show", "route show table all");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ADDRESSES = 0;
    private static final int ROUTES = 1;
    private static final int NETCONF = 2;
    private static final int NSIDS = 3;
    private static final int LINKS = 4;
    private static final int PROXIES = 5;

    private final Netns netns;
    /** The documents' text, by HOST_COMMANDS index; the last four null for a container. */
    private final String[] docs;
    private final String rules;

    private NamespaceDump(Netns netns, String[] docs, String rules) {
        this.netns = Objects.requireNonNull(netns);
        this.docs = docs;
        this.rules = rules;
    }

    /** A read given as trees (snapshots, benchmarks); null trees are documents not read. */
    public NamespaceDump(Netns netns, JsonNode addresses, JsonNode routes, JsonNode netconf, JsonNode nsids, JsonNode links) {
        this(netns, addresses, routes, netconf, nsids, links, null);
    }

    public NamespaceDump(Netns netns, JsonNode addresses, JsonNode routes, JsonNode netconf, JsonNode nsids, JsonNode links,
                         JsonNode rules) {
        this(netns, addresses, routes, netconf, nsids, links, rules, null);
    }

    public NamespaceDump(Netns netns, JsonNode addresses, JsonNode routes, JsonNode netconf, JsonNode nsids, JsonNode links,
                         JsonNode rules, JsonNode proxies) {
        this(netns, new String[] {text(addresses), text(routes), text(netconf), text(nsids), text(links), text(proxies)}, text(rules));
    }

    private static String text(JsonNode n) {
        return n == null ? null : n.toString();
    }

    /** The same read with the host's IPv6 rules ({@code ip -6 -N -j rule show}) added. */
    public NamespaceDump withRules(String output) {
        List<String> parts = documents(netns, output);
        if (parts.size() != 1) throw new IpOutputException("ip -6 rule show in netns " + netns + " printed " + parts.size() + " JSON documents");
        return new NamespaceDump(netns, docs, parts.get(0));
    }

    /** Splits the output of a batch read into its documents; anything else is an error. */
    public static NamespaceDump parse(Netns netns, String output, boolean host) {
        List<String> commands = host ? HOST_COMMANDS : CONTAINER_COMMANDS;
        List<String> parts = documents(netns, output);
        if (parts.size() != commands.size()) {
            throw new IpOutputException("ip in netns " + netns + " printed " + parts.size() + " JSON documents for "
                    + commands.size() + " commands (" + String.join(", ", commands) + ")");
        }
        String[] docs = new String[HOST_COMMANDS.size()];
        for (int i = 0; i < parts.size(); i++) docs[i] = parts.get(i);
        return new NamespaceDump(netns, docs, null);
    }

    /**
     * The text of each top-level JSON value in {@code output}, checked by the tokenizer
     * (which builds no tree). Not readValues(): it would unwrap the first top-level array.
     */
    private static List<String> documents(Netns netns, String output) {
        List<String> docs = new ArrayList<>();
        try (JsonParser parser = JSON.getFactory().createParser(output)) {
            while (parser.nextToken() != null) {
                long start = parser.currentTokenLocation().getCharOffset();
                parser.skipChildren();
                long end = parser.currentLocation().getCharOffset();
                if (start < 0 || end < start || end > output.length()) {
                    throw new IpOutputException("ip in netns " + netns + " printed output rveth cannot split into documents");
                }
                docs.add(output.substring((int) start, (int) end));
            }
        } catch (JsonProcessingException e) {
            throw new IpOutputException("ip in netns " + netns + " printed output that is not JSON ("
                    + e.getOriginalMessage() + "); rveth needs iproute2 with -j support (4.17 or later)");
        } catch (IOException | RuntimeException e) {
            if (e instanceof IpOutputException i) throw i;
            throw new IpOutputException("ip in netns " + netns + " printed output that is not JSON: " + e.getMessage());
        }
        return docs;
    }

    public Netns netns() {
        return netns;
    }

    /** Whether this is a read of the host side (it has the host's documents). */
    public boolean isHost() {
        return docs[NETCONF] != null;
    }

    public JsonNode addresses() {
        return tree(docs[ADDRESSES]);
    }

    public JsonNode routes() {
        return tree(docs[ROUTES]);
    }

    public JsonNode netconf() {
        return tree(docs[NETCONF]);
    }

    public JsonNode nsids() {
        return tree(docs[NSIDS]);
    }

    public JsonNode links() {
        return tree(docs[LINKS]);
    }

    /** The host's proxy neighbour entries, or null when not read (container reads, old snapshots). */
    public JsonNode proxies() {
        return tree(docs[PROXIES]);
    }

    /** The host's IPv6 rules, or null when not read (container reads, old snapshots). */
    public JsonNode rules() {
        return tree(rules);
    }

    /** The documents of a read, for {@link #list}. */
    enum Doc { ADDRESSES, ROUTES, NETCONF, NSIDS, LINKS, PROXIES, RULES }

    private String text(Doc d) {
        return d == Doc.RULES ? rules : docs[d.ordinal()];
    }

    /** Whether the read has this document (a container's has only addresses and routes). */
    boolean has(Doc d) {
        return text(d) != null;
    }

    /**
     * The elements of a document that is a JSON list, parsed one at a time as the loop
     * asks for them: the host's route list at 5,000 containers is 40,000 objects, and as
     * one tree it alone took about 100 MB.
     *
     * @throws IpOutputException when the document is missing or not a list
     */
    Iterable<JsonNode> list(Doc d, String command) {
        String text = text(d);
        String notAList = "ip " + command + " in netns " + netns + " did not print a JSON list";
        return () -> {
            if (text == null) throw new IpOutputException(notAList);
            try {
                JsonParser p = JSON.getFactory().createParser(text);
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                    p.close();
                    throw new IpOutputException(notAList);
                }
                return new java.util.Iterator<JsonNode>() {
                    private JsonNode next = advance();

                    private JsonNode advance() {
                        try {
                            if (p.nextToken() == com.fasterxml.jackson.core.JsonToken.END_ARRAY || p.currentToken() == null) {
                                p.close();
                                return null;
                            }
                            return JSON.readTree(p);
                        } catch (IOException | RuntimeException e) {
                            throw new IpOutputException("ip " + command + " in netns " + netns + " printed output that is not JSON: "
                                    + e.getMessage());
                        }
                    }

                    @Override
                    public boolean hasNext() {
                        return next != null;
                    }

                    @Override
                    public JsonNode next() {
                        if (next == null) throw new java.util.NoSuchElementException();
                        JsonNode n = next;
                        next = advance();
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new IpOutputException("ip " + command + " in netns " + netns + " printed output that is not JSON: " + e.getMessage());
            }
        };
    }

    private JsonNode tree(String text) {
        if (text == null) return null;
        try {
            return JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            throw new IpOutputException("ip in netns " + netns + " printed output that is not JSON: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamespaceDump d && netns.equals(d.netns) && Arrays.equals(docs, d.docs) && Objects.equals(rules, d.rules);
    }

    @Override
    public int hashCode() {
        return Objects.hash(netns, Arrays.hashCode(docs), rules);
    }

    @Override
    public String toString() {
        return "NamespaceDump[" + netns + (isHost() ? ", host" : "") + "]";
    }
}

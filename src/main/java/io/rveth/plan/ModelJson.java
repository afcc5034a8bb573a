package io.rveth.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.rveth.model.Address;
import io.rveth.model.Endpoint;
import io.rveth.model.Namespace;
import io.rveth.model.PolicyRule;
import io.rveth.model.ProxyNeighbour;
import io.rveth.model.Route;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;

/** Model objects as JSON for plans: kebab-case keys, as in the manifest. */
final class ModelJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ModelJson() {
    }

    static JsonNode of(Object o) {
        if (o == null) return NullNode.instance;
        ObjectNode n = F.objectNode();
        if (o instanceof Namespace ns) {
            n.put("netns", ns.netns().name());
            n.put("loopback-up", ns.managed());
        } else if (o instanceof Veth v) {
            n.put("alias", v.alias());
            n.set("host", endpoint(v.host()));
            n.set("peer", endpoint(v.peer()));
        } else if (o instanceof Address a) {
            n.put("netns", a.netns().name());
            n.put("dev", a.dev());
            n.put("address", a.cidr().toString());
        } else if (o instanceof Route r) {
            n.put("netns", r.netns().name());
            n.put("to", r.dst().toString());
            n.put("dev", r.dev());
            r.via().ifPresent(v -> n.put("via", v.toCanonicalString()));
            n.put("onlink", r.onlink());
            n.put("protocol", r.protocol());
            n.put("metric", r.metric());
        } else if (o instanceof Sysctl s) {
            n.put("netns", s.netns().name());
            n.put("key", s.key());
            n.put("value", s.value());
        } else if (o instanceof PolicyRule r) {
            n.put("netns", r.netns().name());
            n.put("priority", r.priority());
            n.put("iif", r.iif());
            n.put("from", r.from().toString());
            n.put("action", r.blackhole() ? "blackhole" : "lookup main");
            n.put("protocol", r.protocol());
        } else if (o instanceof ProxyNeighbour p) {
            n.put("netns", p.netns().name());
            n.put("dev", p.dev());
            n.put("address", p.address().toCanonicalString());
            n.put("protocol", p.protocol());
        } else {
            throw new IllegalArgumentException("no JSON form for " + o.getClass());
        }
        return n;
    }

    private static ObjectNode endpoint(Endpoint e) {
        ObjectNode n = F.objectNode();
        n.put("netns", e.netns().name());
        n.put("name", e.name());
        e.mtu().ifPresent(m -> n.put("mtu", m));
        e.mac().ifPresent(m -> n.put("mac", m));
        n.put("up", e.up());
        return n;
    }
}

package io.rveth.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rveth.model.Endpoint;
import io.rveth.model.Netns;
import io.rveth.model.Veth;
import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which namespaces verification must read again after a plan ran. */
class ReconcilerTest {
    static final Netns HOST = new Netns("h");
    static final Netns WEB = new Netns("web");
    static final Netns DB = new Netns("db");

    static Change change(Object before, Object after, Command... commands) {
        return new Change(Action.CREATE, "x", "t", HOST, "", "", List.of(commands), 0, before, after);
    }

    static Veth veth(Netns peer) {
        return new Veth(new Endpoint(HOST, "rv-" + peer.name(), OptionalInt.empty(), Optional.empty(), true),
                new Endpoint(peer, "eth0", OptionalInt.empty(), Optional.empty(), true), "rveth:" + peer.name() + "/eth0");
    }

    @Test
    void aHostRouteTouchesOnlyTheHost() {
        Plan plan = new Plan(List.of(change(null, null, Command.ip(HOST, "route", "add", "10.0.0.0/24", "dev", "rv-web"))));
        assertEquals(Set.of(HOST), Reconciler.touched(plan));
    }

    @Test
    void commandsNamingANetnsTouchIt() {
        Plan plan = new Plan(List.of(
                change(null, null, Command.ip(null, "netns", "add", "db")),
                change(null, null, Command.ip(HOST, "link", "add", "name", "rv-web", "type", "veth", "peer", "name", "eth0", "netns", "web"))));
        assertEquals(Set.of(HOST, WEB, DB), Reconciler.touched(plan));
    }

    @Test
    void deletingAHostEndTouchesItsPeer() {
        Plan plan = new Plan(List.of(change(veth(WEB), null, Command.ip(HOST, "link", "del", "dev", "rv-web"))));
        assertEquals(Set.of(HOST, WEB), Reconciler.touched(plan));
    }
}

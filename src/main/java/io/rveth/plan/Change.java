package io.rveth.plan;

import io.rveth.model.Netns;
import java.util.List;

/**
 * One planned change to one object: what, where, why, and the exact commands.
 *
 * @param address Terraform-style name of the object, e.g. {@code route.host["203.0.113.10/32"]}
 * @param type    netns, link, veth, address, route or sysctl
 * @param summary a short description of the object after the change (before, for deletes)
 * @param reason  why an update or replacement is needed (empty for plain creates and deletes)
 * @param stage   position in dependency order; see {@link Planner}
 * @param before  the live object (a model record), null when created or unknown (read back from a saved plan)
 * @param after   the desired object, null when deleted or unknown
 */
public record Change(Action action, String address, String type, Netns netns, String summary, String reason,
                     List<Command> commands, int stage, Object before, Object after) {
    public Change {
        commands = List.copyOf(commands);
    }
}

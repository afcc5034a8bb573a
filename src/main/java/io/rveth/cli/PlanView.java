package io.rveth.cli;

import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import java.util.EnumSet;
import java.util.Set;

/** The human form of a plan, in Terraform's shape; its summary lines are a public interface. */
final class PlanView {
    private static final int MAX_ADDRESS_WIDTH = 48;

    private PlanView() {
    }

    static String render(Plan plan, boolean showCommands) {
        if (plan.isEmpty()) return "No changes. Live state matches the manifest.\n";
        StringBuilder out = new StringBuilder("Resource actions are indicated with the following symbols:\n");
        Set<Action> used = EnumSet.noneOf(Action.class);
        plan.changes().forEach(c -> used.add(c.action()));
        for (Action a : used) out.append(String.format("%5s %s%n", a.symbol(), a.legend()));
        out.append('\n');
        int width = Math.min(MAX_ADDRESS_WIDTH, plan.changes().stream().mapToInt(c -> c.address().length()).max().orElse(0));
        for (Change c : plan.changes()) {
            String detail = c.reason().isEmpty() ? c.summary()
                    : c.action() == Action.REPLACE ? c.summary() + "  # " + c.reason() : c.reason();
            out.append(String.format("%5s %-" + width + "s  %s%n", c.action().symbol(), c.address(), detail));
            if (showCommands) {
                for (Command cmd : c.commands()) out.append("        $ ").append(cmd.shell()).append('\n');
            }
        }
        out.append('\n').append(summary(plan)).append('\n');
        return out.toString();
    }

    static String summary(Plan plan) {
        return "Plan: " + plan.toAdd() + " to add, " + plan.toChange() + " to change, " + plan.toDestroy() + " to destroy.";
    }
}

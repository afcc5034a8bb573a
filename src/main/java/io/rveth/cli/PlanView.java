package io.rveth.cli;

import io.rveth.plan.Action;
import io.rveth.plan.Change;
import io.rveth.plan.Command;
import io.rveth.plan.Plan;
import java.util.EnumSet;
import java.util.Set;
import picocli.CommandLine.Help.Ansi;

/** The human form of a plan, in Terraform's shape; its summary lines are a public interface. */
final class PlanView {
    private static final int MAX_ADDRESS_WIDTH = 48;

    private PlanView() {
    }

    static String render(Plan plan, boolean showCommands, boolean color) {
        if (plan.isEmpty()) return "No changes. Live state matches the manifest.\n";
        Ansi ansi = color ? Ansi.ON : Ansi.OFF;
        StringBuilder out = new StringBuilder("Resource actions are indicated with the following symbols:\n");
        Set<Action> used = EnumSet.noneOf(Action.class);
        plan.changes().forEach(c -> used.add(c.action()));
        for (Action a : used) out.append(symbol(ansi, a)).append(' ').append(a.legend()).append('\n');
        out.append('\n');
        int width = Math.min(MAX_ADDRESS_WIDTH, plan.changes().stream().mapToInt(c -> c.address().length()).max().orElse(0));
        for (Change c : plan.changes()) {
            String detail = c.reason().isEmpty() ? c.summary()
                    : c.action() != Action.UPDATE ? c.summary() + "  # " + c.reason() : c.reason();
            out.append(symbol(ansi, c.action())).append(' ')
                    .append(String.format("%-" + width + "s  %s%n", c.address(), detail));
            if (showCommands) {
                for (Command cmd : c.commands()) out.append("        $ ").append(cmd.shell()).append('\n');
            }
        }
        out.append('\n').append(summary(plan)).append('\n');
        return out.toString();
    }

    /** The right-aligned symbol, coloured like Terraform's when colour is on. */
    private static String symbol(Ansi ansi, Action a) {
        String padded = String.format("%5s", a.symbol());
        String style = switch (a) {
            case CREATE -> "green";
            case DELETE -> "red";
            case UPDATE -> "yellow";
            case REPLACE -> "magenta";
        };
        return ansi.string("@|" + style + " " + padded + "|@");
    }

    static String summary(Plan plan) {
        return "Plan: " + plan.toAdd() + " to add, " + plan.toChange() + " to change, " + plan.toDestroy() + " to destroy.";
    }
}

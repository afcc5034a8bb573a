package io.rveth.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rveth.apply.ApplyException;
import io.rveth.apply.ApplyLock;
import io.rveth.apply.Reconciler;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.Problem;
import io.rveth.plan.PlanException;
import io.rveth.plan.PlanJson;
import picocli.CommandLine;

/**
 * With {@code -o json}, a pipeline reads stdout. When plan or apply stops with an error,
 * stdout still gets one document (schema/refusal.schema.json) saying why, and whether the
 * host was changed: never, for a refusal before acting (an invalid manifest, a conflict, a
 * stale plan, a busy lock); unknown for other errors. A failed apply already prints its
 * own plan document, with the failure and the rollback in it.
 */
public final class Refusal {
    private Refusal() {
    }

    /** A command whose stdout may be JSON. */
    interface JsonCommand {
        boolean jsonOutput();

        /** "plan" or "apply". */
        String operation();
    }

    /** Prints the document on the command's stdout when it was asked for JSON. */
    public static void printIfJson(CommandLine c, Exception e, int exitCode) {
        if (!(c.getCommand() instanceof JsonCommand command) || !command.jsonOutput() || e instanceof ApplyException) return;
        Json.print(c.getOut(), document(command.operation(), e, exitCode));
    }

    static ObjectNode document(String operation, Exception e, int exitCode) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format_version", PlanJson.FORMAT_VERSION);
        root.put("tool_version", RvethCommand.version());
        root.put("operation", operation);
        root.put("exit_code", exitCode);
        ArrayNode errors = root.putArray("errors");
        boolean beforeActing = true;
        if (e instanceof ManifestException m) {
            for (Problem p : m.problems()) {
                ObjectNode o = error(errors, "invalid-manifest", p.message());
                o.put("file", p.at().file());
                o.put("line", p.at().line());
                o.put("column", p.at().column());
            }
        } else if (e instanceof PlanException p) {
            for (String s : p.problems()) error(errors, "conflict", s);
        } else if (e instanceof Reconciler.StalePlanException) {
            error(errors, "stale-plan", e.getMessage());
        } else if (e instanceof ApplyLock.BusyException) {
            error(errors, "lock-busy", e.getMessage());
        } else {
            error(errors, "error", e.getMessage() + hint(e.getMessage()));
            beforeActing = operation.equals("plan");  // plan never changes anything
        }
        if (beforeActing) root.put("changed", false);
        else root.putNull("changed");
        return root;
    }

    /** What to do about a permission error, appended to its message here and on stderr. */
    public static String hint(String message) {
        return message != null && (message.contains("Operation not permitted") || message.contains("Permission denied"))
                ? " (rveth reads and changes network namespaces: run it as root)" : "";
    }

    private static ObjectNode error(ArrayNode errors, String kind, String message) {
        ObjectNode o = errors.addObject();
        o.put("kind", kind);
        o.put("message", message);
        return o;
    }
}

package io.rveth;

import io.rveth.apply.ApplyException;
import io.rveth.cli.ExitCodes;
import io.rveth.cli.Refusal;
import io.rveth.cli.RvethCommand;
import io.rveth.live.IpOutputException;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.Problem;
import io.rveth.plan.PlanException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** Entry point: builds the command line, maps every failure to one exit code and one clear message. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs rveth as the command line would, writing to the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new RvethCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("Error: " + e.getMessage().replaceFirst("^Error: ", ""));
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            int code = report(e, err);
            Refusal.printIfJson(c, e, code);
            return code;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int report(Exception e, PrintWriter err) {
        if (e instanceof ManifestException m) {
            for (Problem p : m.problems()) err.println(p);
            err.println("Error: the manifest is invalid (" + m.problems().size() + " problem"
                    + (m.problems().size() == 1 ? "" : "s") + "); nothing was changed.");
            return ExitCodes.INVALID_MANIFEST;
        }
        if (e instanceof PlanException p) {
            for (String s : p.problems()) err.println("Error: " + s);
            err.println("Nothing was changed.");
            return ExitCodes.ERROR;
        }
        if (e instanceof ApplyException a) {
            err.println("Error: apply stopped: " + a.getMessage() + Refusal.hint(a.getMessage()));
            if (a.rollback() != null) {
                err.println("Rollback: " + a.rollback() + ".");
            } else {
                err.println("Commands that ran before it stay applied (--no-rollback; rveth runs namespaces first, then the host side, "
                        + "then each container); nothing after it was attempted. Run plan to see what is left.");
            }
            return ExitCodes.ERROR;
        }
        if (e instanceof io.rveth.apply.Reconciler.StalePlanException) {
            err.println("Error: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        if (e instanceof java.nio.file.NoSuchFileException f) {
            err.println("Error: no such file or directory: " + f.getFile());
            return ExitCodes.ERROR;
        }
        if (e instanceof java.nio.file.AccessDeniedException f) {
            err.println("Error: permission denied: " + f.getFile());
            return ExitCodes.ERROR;
        }
        if (e instanceof java.io.IOException) {
            err.println("Error: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        if (e instanceof IpOutputException || e instanceof UncheckedIOException || e instanceof IllegalStateException
                || e instanceof IllegalArgumentException) {
            err.println("Error: " + e.getMessage() + Refusal.hint(e.getMessage()));
            return ExitCodes.ERROR;
        }
        err.println("Error: " + e);
        e.printStackTrace(err);
        return ExitCodes.ERROR;
    }
}

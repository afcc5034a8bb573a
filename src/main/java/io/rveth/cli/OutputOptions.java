package io.rveth.cli;

import picocli.CommandLine.Option;

/** {@code -o text|json} and colour: colour only on a terminal, never with NO_COLOR or --no-color. */
final class OutputOptions {
    enum Format { text, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            description = "text (default) or json: exactly one JSON document on stdout, logs on stderr.")
    Format format = Format.text;

    @Option(names = "--no-color", description = "No colours (also: the NO_COLOR environment variable, or output that is not a terminal).")
    boolean noColor;

    @Option(names = {"-q", "--quiet"}, description = "Print only the summary line and errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Also print the exact ip commands and each batch as it runs.")
    boolean verbose;

    boolean json() {
        return format == Format.json;
    }

    boolean color() {
        String env = System.getenv("NO_COLOR");
        return !noColor && (env == null || env.isEmpty()) && System.console() != null && !json();
    }
}

package io.rveth.cli;

import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.ManifestReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code -f}: the manifests a command works from, as kubectl takes them: repeatable, a
 * directory (its *.yaml and *.yml, sorted, not recursive), or {@code -} for stdin. All
 * inputs become one desired state.
 */
final class ManifestOptions {
    // Not "required" for picocli: it would report a missing -f before a mistyped flag,
    // hiding the real mistake ("--file x" would say only "missing --filename").
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "A manifest file, a directory of *.yaml/*.yml, or - for stdin. Repeatable; all are merged.")
    List<String> files = new ArrayList<>();

    boolean given() {
        return !files.isEmpty();
    }

    Manifest load(CommandLine.Model.CommandSpec spec) throws ManifestException {
        return load(spec, files);
    }

    static Manifest load(CommandLine.Model.CommandSpec spec, List<String> files) throws ManifestException {
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "which manifest? Give it with -f FILE");
        }
        return ManifestReader.load(inputs(spec, files));
    }

    /** The labels of the inputs, directories expanded (saved plans re-read these files). */
    List<String> labels(CommandLine.Model.CommandSpec spec) throws ManifestException {
        return inputs(spec, files).stream().map(ManifestReader.Input::label).toList();
    }

    /** The inputs, in order: files as given, directories expanded. */
    static List<ManifestReader.Input> inputs(CommandLine.Model.CommandSpec spec, List<String> files) throws ManifestException {
        List<ManifestReader.Input> inputs = new ArrayList<>();
        boolean stdinUsed = false;
        for (String f : files) {
            try {
                if (f.equals("-")) {
                    if (stdinUsed) throw new CommandLine.ParameterException(spec.commandLine(), "-f - (stdin) can be given once");
                    stdinUsed = true;
                    inputs.add(ManifestReader.Input.decode("<stdin>", System.in.readAllBytes()));
                    continue;
                }
                Path path = Path.of(f);
                if (Files.isDirectory(path)) {
                    List<Path> yamls;
                    try (Stream<Path> s = Files.list(path)) {
                        yamls = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                                .filter(Files::isRegularFile).sorted().toList();
                    }
                    if (yamls.isEmpty()) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "directory " + f + " has no *.yaml or *.yml files");
                    }
                    for (Path y : yamls) inputs.add(ManifestReader.Input.of(y));
                } else {
                    inputs.add(ManifestReader.Input.of(path));
                }
            } catch (NoSuchFileException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + e.getFile());
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + f + ": " + e.getMessage());
            }
        }
        return inputs;
    }
}

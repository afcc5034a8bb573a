package io.rveth.cli;

import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestException;
import io.rveth.manifest.ManifestReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code -f FILE}: the manifest a command works from. */
final class ManifestOptions {
    // Not "required" for picocli: it would report a missing -f before a mistyped flag,
    // hiding the real mistake ("--file x" would say only "missing --filename").
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "The manifest (YAML).")
    Path file;

    Manifest load(CommandLine.Model.CommandSpec spec) throws ManifestException {
        return load(spec, file);
    }

    static Manifest load(CommandLine.Model.CommandSpec spec, Path file) throws ManifestException {
        if (file == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "which manifest? Give it with -f FILE");
        }
        if (Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " is a directory; name a manifest file");
        }
        try {
            return ManifestReader.read(file);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
        }
    }
}

package io.rveth.manifest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example in manifests/ passes rveth's own validation (the schema test checks the schema). */
class ExamplesTest {
    static Stream<Path> examples() throws IOException {
        Path dir = Path.of(System.getProperty("rveth.project.dir", "."), "manifests");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 3, "manifests/ holds the demo and the examples");
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void validates(Path file) throws Exception {
        Manifest m = ManifestReader.read(file);
        assertFalse(m.containers().isEmpty(), file + " has containers");
        assertFalse(m.host().netns().isCurrent(), file + " keeps the host side in a sandbox netns");
    }
}

package io.rveth.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

final class ExamplesTestSupport {
    private ExamplesTestSupport() {
    }

    static Stream<Path> examples() throws Exception {
        Path dir = Path.of(System.getProperty("rveth.project.dir", "."), "manifests");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }
}

package io.rveth.it;

import static io.rveth.it.Sandbox.rveth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.manifest.Manifest;
import io.rveth.manifest.ManifestReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example applies on a real kernel, converges, and its containers answer pings. */
class ExamplesIT {
    static Stream<Path> examples() throws Exception {
        return ExamplesTestSupport.examples();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void appliesConvergesAndAnswers(Path example) throws Exception {
        try (Sandbox box = new Sandbox()) {
            // Sandbox namespaces instead of the example's own rveth-* names.
            String yaml = Files.readString(example).replace("rveth-", box.prefix + "-");
            Path file = box.manifest(example.getFileName().toString(), yaml);
            Sandbox.Run first = rveth("apply", "-f", file.toString());
            assertEquals(0, first.exit(), first.toString());
            Sandbox.Run second = rveth("apply", "-f", file.toString());
            assertEquals("No changes. Live state matches the manifest.\n", second.out(), second.toString());
            Manifest m = ManifestReader.read(file);
            String host = m.host().netns().name();
            for (Manifest.Container c : m.containers()) {
                // Replies from a gateway: false interface leave by the container's default
                // route, and the host's strict rp_filter rightly drops them: only ping
                // addresses whose replies come back the way they went.
                for (Manifest.Interface i : c.interfaces().stream().filter(Manifest.Interface::gateway).toList()) {
                    for (Manifest.AssignedAddress a : i.addresses()) {
                        String ip = a.cidr().ip().toCanonicalString();
                        assertTrue(box.ping(host, ip), example.getFileName() + ": host -> " + c.name() + " " + ip);
                    }
                }
            }
        }
    }
}

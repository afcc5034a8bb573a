package io.rveth.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Several -f inputs become one desired state; clashes between files name both places. */
class ManifestMergeTest {
    static final String HOST = """
            version: 1
            host: {netns: h, create-netns: true}
            """;
    static final String WEB = """
            version: 1
            containers:
              web:
                interfaces:
                  eth0: {addresses: [203.0.113.10/32]}
            """;
    static final String DB = """
            version: 1
            containers:
              db:
                interfaces:
                  eth0: {addresses: [203.0.113.20/32]}
            """;

    static Manifest load(ManifestReader.Input... inputs) throws ManifestException {
        return ManifestReader.load(List.of(inputs));
    }

    static ManifestReader.Input in(String label, String text) {
        return new ManifestReader.Input(label, text);
    }

    @Test
    void containersFromEveryFileAndTheOneHostSection() throws Exception {
        Manifest m = load(in("host.yaml", HOST), in("web.yaml", WEB), in("db.yaml", DB));
        assertEquals("h", m.host().netns().name());
        assertEquals(List.of("web", "db"), m.containers().stream().map(Manifest.Container::name).toList());
        assertEquals("host.yaml, web.yaml, db.yaml", m.file());
    }

    @Test
    void aContainerDefinedInTwoFilesNamesBoth() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> load(in("a.yaml", WEB), in("b.yaml", WEB)));
        assertEquals(1, e.problems().size(), e.getMessage());
        Problem p = e.problems().get(0);
        assertEquals("b.yaml", p.at().file());
        assertEquals(3, p.at().line());
        assertTrue(p.message().contains("container web is already defined at a.yaml:3"), p.message());
    }

    @Test
    void anOverlapBetweenFilesNamesBothFilesAndLines() {
        String other = DB.replace("203.0.113.20/32", "203.0.113.0/24");
        ManifestException e = assertThrows(ManifestException.class, () -> load(in("a.yaml", WEB), in("b.yaml", other)));
        String all = e.getMessage();
        assertTrue(all.contains("a.yaml:5") && all.contains("b.yaml:5"), all);
        assertTrue(all.contains("overlaps"), all);
    }

    @Test
    void hostSectionsThatDisagreeAreAnError() {
        String otherHost = HOST.replace("netns: h", "netns: g");
        ManifestException e = assertThrows(ManifestException.class, () -> load(in("a.yaml", HOST), in("b.yaml", otherHost)));
        assertEquals("b.yaml", e.problems().get(0).at().file());
        assertTrue(e.getMessage().contains("differs from the one at a.yaml:2"), e.getMessage());
    }

    @Test
    void identicalHostSectionsAreFine() throws Exception {
        Manifest m = load(in("a.yaml", HOST + WEB.substring(WEB.indexOf("containers"))), in("b.yaml", HOST));
        assertEquals(1, m.containers().size());
    }

    @Test
    void problemsOfEveryFileAreReportedTogether() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> load(in("a.yaml", "version: 1\nhsot: {}\n"), in("b.yaml", "version: 2\n")));
        assertEquals(List.of("a.yaml", "b.yaml"), e.problems().stream().map(p -> p.at().file()).toList());
    }
}

package io.rveth.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Helpers for the manifest tests: parse inline YAML, and assert on the problems found,
 * always by line, column and a telling part of the message. On failure the whole list of
 * problems is printed, so a wrong location or message is easy to see.
 */
final class ManifestTestSupport {
    /** The label every test manifest is parsed under; it shows up in each {@link Location}. */
    static final String FILE = "test.yaml";

    /** The example from the issue that introduced the manifest format; it must validate as it stands. */
    static final String ISSUE_EXAMPLE = """
            version: 1
            host:
              netns: rveth-demo
              create-netns: true
              ipv4-gateway: 169.254.0.1
              ipv6-gateway: fe80::1
            containers:
              web:
                netns: web
                create-netns: true
                interfaces:
                  eth0:
                    host-name: veth-web
                    mtu: 1500
                    mac: "02:00:00:00:00:01"
                    gateway: true
                    addresses:
                      - 203.0.113.10/32
                      - 10.5.5.1/24
                      - address: 10.5.5.2/24
                      - address: 10.6.0.1/24
                        route: false
                      - address: 10.7.0.1/24
                        route-as: 10.7.0.0/16
                      - 2001:db8:10::1/128
                    routes:
                      - 198.51.100.0/28
                      - 10.6.0.0/16
                      - to: 198.51.100.64/26
                        via: 203.0.113.10
            """;

    private ManifestTestSupport() {
    }

    static Manifest parse(String yaml) throws ManifestException {
        return ManifestReader.parse(FILE, yaml);
    }

    /** Parses a manifest that must be valid; on failure shows every problem. */
    static Manifest assertValid(String yaml) {
        try {
            return parse(yaml);
        } catch (ManifestException e) {
            return fail("expected a valid manifest, but got:\n" + e.getMessage());
        }
    }

    /** The problems of a manifest that must be rejected. */
    static List<Problem> problemsOf(String yaml) {
        return assertThrows(ManifestException.class, () -> parse(yaml),
                "expected the manifest to be rejected").problems();
    }

    /** An expected problem: where it is, and fragments its message must contain. */
    record Expected(int line, int column, List<String> fragments) {
        boolean matches(Problem p) {
            return p.at().file().equals(FILE) && p.at().line() == line && p.at().column() == column
                    && fragments.stream().allMatch(p.message()::contains);
        }

        @Override
        public String toString() {
            return FILE + ":" + line + ":" + column + ": ..." + String.join("...", fragments) + "...";
        }
    }

    static Expected at(int line, int column, String... fragments) {
        return new Expected(line, column, Arrays.asList(fragments));
    }

    /** The manifest is rejected with exactly these problems, in this (sorted) order. */
    static void assertProblems(String yaml, Expected... expected) {
        List<Problem> problems = problemsOf(yaml);
        String actual = render(problems);
        assertEquals(expected.length, problems.size(),
                () -> "expected " + expected.length + " problem(s), got:\n" + actual);
        for (int i = 0; i < expected.length; i++) {
            Expected e = expected[i];
            Problem p = problems.get(i);
            if (!e.matches(p)) fail("problem " + (i + 1) + " should be\n  " + e + "\nbut the problems are:\n" + actual);
        }
    }

    /** The manifest is rejected with exactly one problem, at line:column, whose message has all fragments. */
    static void assertSingleProblem(String yaml, int line, int column, String... fragments) {
        assertProblems(yaml, at(line, column, fragments));
    }

    /** Among the problems there is one at line:column whose message has all fragments. */
    static void assertHasProblem(List<Problem> problems, int line, int column, String... fragments) {
        Expected e = at(line, column, fragments);
        if (problems.stream().noneMatch(e::matches)) {
            fail("expected a problem\n  " + e + "\nbut the problems are:\n" + render(problems));
        }
    }

    /** The manifest is rejected, and one of its problems is at line:column with all fragments. */
    static void assertHasProblem(String yaml, int line, int column, String... fragments) {
        assertHasProblem(problemsOf(yaml), line, column, fragments);
    }

    /** Among the problems there is one whose message has all fragments, wherever it is. */
    static void assertHasProblemMentioning(List<Problem> problems, String... fragments) {
        if (problems.stream().noneMatch(p -> Arrays.stream(fragments).allMatch(p.message()::contains))) {
            fail("expected a problem mentioning " + Arrays.toString(fragments) + "\nbut the problems are:\n"
                    + render(problems));
        }
    }

    static String render(List<Problem> problems) {
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }
}

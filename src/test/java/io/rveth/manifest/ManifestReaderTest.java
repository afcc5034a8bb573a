package io.rveth.manifest;

import static io.rveth.manifest.ManifestTestSupport.FILE;
import static io.rveth.manifest.ManifestTestSupport.assertHasProblem;
import static io.rveth.manifest.ManifestTestSupport.assertHasProblemMentioning;
import static io.rveth.manifest.ManifestTestSupport.assertProblems;
import static io.rveth.manifest.ManifestTestSupport.assertSingleProblem;
import static io.rveth.manifest.ManifestTestSupport.assertValid;
import static io.rveth.manifest.ManifestTestSupport.at;
import static io.rveth.manifest.ManifestTestSupport.problemsOf;
import static io.rveth.manifest.ManifestTestSupport.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.model.Netns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link ManifestReader} checks on each value by itself: YAML syntax, document shape,
 * keys, types, names and address syntax. Each rejected manifest is checked for the line and
 * column of its problem and a telling part of the message.
 */
class ManifestReaderTest {

    /** The first interface of the first container. */
    private static Manifest.Interface firstInterface(Manifest m) {
        return m.containers().get(0).interfaces().get(0);
    }

    // ---- valid manifests ------------------------------------------------------------------

    @Nested
    class ValidManifests {
        @Test
        void versionAloneIsAValidManifestWithDefaults() {
            Manifest m = assertValid("version: 1\n");
            assertEquals(FILE, m.file());
            assertEquals(List.of(), m.containers());
            assertEquals(Netns.CURRENT, m.host().netns());
            assertFalse(m.host().createNetns());
            assertEquals("169.254.0.1", m.host().ipv4Gateway().toCanonicalString());
            assertEquals("fe80::1", m.host().ipv6Gateway().toCanonicalString());
            assertEquals(Manifest.DEFAULT_ROUTE_PROTOCOL, m.host().routeProtocol());
        }

        @Test
        void emptyHostAndContainersAreAllowed() {
            Manifest m = assertValid("""
                    version: 1
                    host:
                    containers:
                    """);
            assertEquals(List.of(), m.containers());
        }

        @Test
        void issueExampleIsReadWithEverySetting() {
            Manifest m = assertValid(ManifestTestSupport.ISSUE_EXAMPLE);
            assertEquals(new Netns("rveth-demo"), m.host().netns());
            assertTrue(m.host().createNetns());
            Manifest.Container web = m.containers().get(0);
            assertEquals("web", web.name());
            assertEquals(new Netns("web"), web.netns());
            assertTrue(web.createNetns());
            assertEquals(new Location(FILE, 8, 3), web.at());
            Manifest.Interface eth0 = web.interfaces().get(0);
            assertEquals("eth0", eth0.name());
            assertEquals("veth-web", eth0.hostName());
            assertEquals(OptionalInt.of(1500), eth0.mtu());
            assertEquals(Optional.of("02:00:00:00:00:01"), eth0.mac());
            assertTrue(eth0.gateway());
            assertEquals(new Location(FILE, 12, 7), eth0.at());
            assertEquals(List.of("203.0.113.10/32", "10.5.5.1/24", "10.5.5.2/24", "10.6.0.1/24", "10.7.0.1/24",
                            "2001:db8:10::1/128"),
                    eth0.addresses().stream().map(a -> a.cidr().toString()).toList());
            assertEquals(List.of(true, true, true, false, true, true),
                    eth0.addresses().stream().map(Manifest.AssignedAddress::route).toList());
            assertEquals("10.7.0.0/16", eth0.addresses().get(4).routeAs().orElseThrow().toString());
            assertEquals(List.of("198.51.100.0/28", "10.6.0.0/16", "198.51.100.64/26"),
                    eth0.routes().stream().map(r -> r.to().toString()).toList());
            assertEquals("203.0.113.10", eth0.routes().get(2).via().orElseThrow().toCanonicalString());
        }

        @Test
        void addressesRememberWhereTheyAre() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                              - address: 10.0.0.2
                    """);
            List<Manifest.AssignedAddress> addresses = firstInterface(m).addresses();
            assertEquals(new Location(FILE, 7, 13), addresses.get(0).at());
            assertEquals(new Location(FILE, 8, 22), addresses.get(1).at());
        }

        @Test
        void bareIpv4AddressBecomesSlash32AndIsRoutedAsAHost() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 203.0.113.10
                    """);
            Manifest.Interface eth0 = firstInterface(m);
            assertEquals("203.0.113.10/32", eth0.addresses().get(0).cidr().toString());
            assertEquals(List.of("203.0.113.10/32"), eth0.routedPrefixes().stream().map(r -> r.to().toString()).toList());
        }

        @Test
        void bareIpv6AddressBecomesSlash128AndIsRoutedAsAHost() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:db8:10::10
                    """);
            Manifest.Interface eth0 = firstInterface(m);
            assertEquals("2001:db8:10::10/128", eth0.addresses().get(0).cidr().toString());
            assertEquals(List.of("2001:db8:10::10/128"),
                    eth0.routedPrefixes().stream().map(r -> r.to().toString()).toList());
        }

        @Test
        void addressWithLengthIsRoutedAsItsNetwork() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.5.5.1/24
                              - 2001:db8:20::1/64
                    """);
            assertEquals(List.of("10.5.5.0/24", "2001:db8:20::/64"),
                    firstInterface(m).routedPrefixes().stream().map(r -> r.to().toString()).toList());
        }

        @Test
        void interfaceWithoutSettingsIsAllowed() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                    """);
            Manifest.Interface eth0 = firstInterface(m);
            assertEquals(List.of(), eth0.addresses());
            assertTrue(eth0.gateway(), "gateway defaults to true");
            assertEquals(OptionalInt.empty(), eth0.mtu());
        }

        @Test
        void containerNetnsDefaultsToTheContainerName() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                    """);
            assertEquals(new Netns("web"), m.containers().get(0).netns());
            assertFalse(m.containers().get(0).createNetns());
        }

        @Test
        void macIsStoredInLowerCase() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mac: "02:AB:CD:EF:00:01"
                    """);
            assertEquals(Optional.of("02:ab:cd:ef:00:01"), firstInterface(m).mac());
        }

        @Test
        void unquotedMacIsReadAsText() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mac: 02:ab:cd:ef:00:01
                    """);
            assertEquals(Optional.of("02:ab:cd:ef:00:01"), firstInterface(m).mac());
        }

        @Test
        void customGatewaysAreRead() {
            Manifest m = assertValid("""
                    version: 1
                    host:
                      ipv4-gateway: 192.0.2.1
                      ipv6-gateway: 2001:db8:ffff::1
                    """);
            assertEquals("192.0.2.1", m.host().ipv4Gateway().toCanonicalString());
            assertEquals("2001:db8:ffff::1", m.host().ipv6Gateway().toCanonicalString());
        }

        @Test
        void readingAFileUsesItsPathAsLabel(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("m.yaml");
            Files.writeString(file, "version: 1\nhots: {}\n");
            ManifestException e = assertThrows(ManifestException.class, () -> ManifestReader.read(file));
            assertEquals(List.of(new Location(file.toString(), 2, 1)), e.problems().stream().map(Problem::at).toList());
        }
    }

    // ---- YAML and document shape ----------------------------------------------------------

    @Nested
    class YamlSyntax {
        @Test
        void badIndentationIsASyntaxErrorAtItsLineAndColumn() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: a
                       create-netns: true
                    """, 4, 16, "YAML syntax", "mapping values are not allowed here");
        }

        @Test
        void tabIndentationIsASyntaxErrorAtTheTab() {
            assertSingleProblem("version: 1\nhost:\n\tnetns: a\n", 3, 1, "YAML syntax", "TAB");
        }

        @Test
        void unclosedFlowListIsASyntaxError() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: [a
                    """, 4, 1, "YAML syntax", "expected ',' or ']'", "while parsing a flow sequence");
        }

        @Test
        void unterminatedQuoteIsASyntaxError() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: "rveth
                    """, 4, 1, "YAML syntax", "while scanning a quoted scalar");
        }

        @Test
        void secondDocumentIsRejected() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    ---
                    version: 1
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "one YAML document per manifest file", "---");
        }

        @Test
        void secondDocumentIsReportedAtItsSeparator() {
            assertSingleProblem("""
                    version: 1
                    ---
                    version: 1
                    """, 2, 1, "one YAML document per manifest file");
        }

        @Test
        void emptyFileIsRejected() {
            assertSingleProblem("", 1, 1, "the manifest is empty", "version: 1");
        }

        @Test
        void fileWithOnlyCommentsIsEmpty() {
            assertSingleProblem("# nothing here yet\n", 1, 1, "the manifest is empty");
        }

        @Test
        void listAtTheRootIsRejected() {
            assertSingleProblem("""
                    - version: 1
                    - containers: {}
                    """, 1, 1, "the manifest must be a mapping", "not a list");
        }

        @Test
        void textAtTheRootIsRejected() {
            assertSingleProblem("version 1\n", 1, 1, "the manifest must be a mapping", "not text \"version 1\"");
        }
    }

    // ---- unknown keys ---------------------------------------------------------------------

    @Nested
    class UnknownKeys {
        @Test
        void unknownTopLevelKeySuggestsTheClosestKnownKey() {
            assertSingleProblem("""
                    version: 1
                    contaners: {}
                    """, 2, 1, "unknown key \"contaners\"", "did you mean \"containers\"?");
        }

        @Test
        void unknownHostKeySuggestsTheClosestKnownKey() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv4_gateway: 169.254.0.1
                    """, 3, 3, "host: unknown key \"ipv4_gateway\"", "did you mean \"ipv4-gateway\"?");
        }

        @Test
        void unknownContainerKeySuggestsTheClosestKnownKey() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        netnz: web
                        interfaces:
                          eth0: {}
                    """, 4, 5, "containers.web: unknown key \"netnz\"", "did you mean \"netns\"?");
        }

        @Test
        void unknownInterfaceKeySuggestsTheClosestKnownKey() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            adresses:
                              - 10.0.0.1
                    """, 6, 9, "containers.web.interfaces.eth0: unknown key \"adresses\"", "did you mean \"addresses\"?");
        }

        @Test
        void unknownAddressItemKeySuggestsTheClosestKnownKey() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.0.0.2/24
                                route_as: 10.0.0.0/16
                    """, 8, 13, "addresses item: unknown key \"route_as\"", "did you mean \"route-as\"?");
        }

        @Test
        void unknownRouteItemKeySuggestsTheClosestKnownKey() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.2
                            routes:
                              - to: 10.9.0.0/16
                                vai: 10.0.0.2
                    """, 10, 13, "routes item: unknown key \"vai\"", "did you mean \"via\"?");
        }

        @Test
        void suggestionIgnoresLetterCase() {
            assertSingleProblem("""
                    version: 1
                    Containers: {}
                    """, 2, 1, "unknown key \"Containers\"", "did you mean \"containers\"?");
        }

        @Test
        void transposedLettersSuggestTheIntendedKey() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mut: 1500
                    """, 6, 9, "unknown key \"mut\"", "did you mean \"mtu\"?");
        }

        @Test
        void unrelatedShortKeyGetsNoSuggestion() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.2
                            routes:
                              - to: 10.9.0.0/16
                                gw: 10.0.0.2
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblem(problems, 10, 13, "unknown key \"gw\"", "(known keys: to, via)");
            assertFalse(problems.get(0).message().contains("did you mean \"to\""), problems.get(0).message());
        }

        @Test
        void unknownKeyWithoutACloseMatchListsTheKnownKeys() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    host:
                      foo: bar
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblem(problems, 3, 3, "host: unknown key \"foo\"",
                    "(known keys: create-netns, ipv4-gateway, ipv6-gateway, netns, route-protocol, uplink)");
            assertFalse(problems.get(0).message().contains("did you mean"), problems.get(0).message());
        }
    }

    // ---- wrong types ----------------------------------------------------------------------

    @Nested
    class WrongTypes {
        @Test
        void mtuAsTextIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: big
                    """, 6, 14, "containers.web.interfaces.eth0.mtu must be a whole number", "not text \"big\"");
        }

        @Test
        void quotedMtuIsTextAndRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: "1500"
                    """, 6, 14, "mtu must be a whole number", "not text \"1500\"");
        }

        @Test
        void gatewayAsANumberIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            gateway: 1
                    """, 6, 18, "containers.web.interfaces.eth0.gateway must be true or false", "not a number \"1\"");
        }

        @Test
        void yesIsNotABooleanInYaml12() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: demo
                      create-netns: yes
                    """, 4, 17, "host.create-netns must be true or false", "not text \"yes\"");
        }

        @Test
        void addressesAsAMappingAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              a: 10.0.0.1
                    """, 7, 11, "containers.web.interfaces.eth0.addresses must be a list", "not a mapping");
        }

        @Test
        void addressesAsASingleValueAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses: 10.0.0.1
                    """, 6, 20, "addresses must be a list", "not text \"10.0.0.1\"");
        }

        @Test
        void routesAsASingleValueAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes: 10.0.0.0/8
                    """, 6, 17, "containers.web.interfaces.eth0.routes must be a list", "not text \"10.0.0.0/8\"");
        }

        @Test
        void addressItemAsAListIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - [10.0.0.1]
                    """, 7, 13, "addresses must be a single value", "not a list");
        }

        @Test
        void containersAsAListAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      - web
                    """, 3, 3, "containers must be a mapping", "not a list");
        }

        @Test
        void hostAsAListIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host: [rveth-demo]
                    """, 2, 7, "host must be a mapping", "not a list");
        }

        @Test
        void interfacesAsAListAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces: [eth0]
                    """, 4, 17, "containers.web.interfaces must be a mapping", "not a list");
        }

        @Test
        void quotedVersionIsTextAndRejected() {
            assertSingleProblem("""
                    version: "1"
                    """, 1, 10, "version must be a whole number", "not text \"1\"");
        }

        @Test
        void nullKeyIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      ~:
                        interfaces:
                          eth0: {}
                    """, 3, 3, "containers: keys must be plain names");
        }

        @Test
        void hostGatewayAsANumberIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv4-gateway: 5
                    """, 3, 17, "host.ipv4-gateway", "\"5\"");
        }

        @Test
        void hostNameOfTheWrongTypeIsReportedOnce() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: [veth-web]
                    """, 6, 20, "host-name must be a single value", "not a list");
        }
    }

    // ---- duplicate keys -------------------------------------------------------------------

    @Nested
    class DuplicateKeys {
        @Test
        void duplicateTopLevelKeyNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    host: {}
                    version: 1
                    """, 3, 1, "the manifest: duplicate key \"version\"", "first at line 1");
        }

        @Test
        void duplicateHostKeyNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: a
                      netns: b
                    """, 4, 3, "host: duplicate key \"netns\"", "first at line 3");
        }

        @Test
        void duplicateContainerNameNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                      web:
                        interfaces:
                          eth1: {}
                    """, 6, 3, "containers: duplicate key \"web\"", "first at line 3");
        }

        @Test
        void duplicateInterfaceNameNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                          eth0: {}
                    """, 6, 7, "containers.web.interfaces: duplicate key \"eth0\"", "first at line 5");
        }

        @Test
        void duplicateInterfaceSettingNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: 1500
                            mtu: 1400
                    """, 7, 9, "containers.web.interfaces.eth0: duplicate key \"mtu\"", "first at line 6");
        }

        @Test
        void duplicateKeyInAnAddressItemNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.0.0.1
                                address: 10.0.0.2
                    """, 8, 13, "addresses item: duplicate key \"address\"", "first at line 7");
        }

        @Test
        void duplicateKeyInARouteItemNamesBothLines() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - to: 10.1.0.0/16
                                to: 10.2.0.0/16
                    """, 8, 13, "routes item: duplicate key \"to\"", "first at line 7");
        }
    }

    // ---- interface names ------------------------------------------------------------------

    @Nested
    class InterfaceNames {
        /** A one-interface container, so the default host-name is just "rv-web". */
        private static String withInterface(String yamlKey) {
            return """
                    version: 1
                    containers:
                      web:
                        interfaces:
                          NAME: {}
                    """.replace("NAME", yamlKey);
        }

        @Test
        void fifteenByteInterfaceNameIsAccepted() {
            Manifest m = assertValid(withInterface("abcdefghijklmno"));
            assertEquals("abcdefghijklmno", firstInterface(m).name());
        }

        @Test
        void sixteenByteInterfaceNameIsRejected() {
            assertSingleProblem(withInterface("abcdefghijklmnop"), 5, 7,
                    "containers.web.interfaces.abcdefghijklmnop: interface name \"abcdefghijklmnop\" is 16 bytes",
                    "at most 15");
        }

        @Test
        void interfaceNameLengthIsCountedInBytes() {
            // 8 characters, 16 bytes in UTF-8
            assertHasProblem(withInterface("\"éééééééé\""), 5, 7, "is 16 bytes", "at most 15");
        }

        @Test
        void emptyInterfaceNameIsRejected() {
            assertSingleProblem(withInterface("\"\""), 5, 7, "an interface name cannot be empty");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"\"eth/0\"", "\"eth:0\"", "\"eth 0\"", "\"eth\\t0\"", "\".\"", "\"..\"", "\"eth#0\"",
                "\"eth\\\\0\""})
        void forbiddenCharactersAndDotNamesAreRejected(String yamlKey) {
            assertSingleProblem(withInterface(yamlKey), 5, 7, "interface name \"",
                    "may use only printable ASCII without '/', ':', blanks", "cannot be \".\" or \"..\"");
        }

        @Test
        void nonAsciiInterfaceNameIsRejectedAndEscapedInTheMessage() {
            assertSingleProblem(withInterface("\"ethé\""), 5, 7, "interface name \"eth\\u00e9\"",
                    "may use only printable ASCII");
        }

        @Test
        void newlineInInterfaceNameIsRejectedAndEscapedInTheMessage() {
            assertSingleProblem(withInterface("\"eth\\n0\""), 5, 7, "interface name \"eth\\u000a0\"",
                    "may use only printable ASCII");
        }

        @Test
        void messagesNeverContainRawControlCharacters() {
            List<Problem> problems = problemsOf(withInterface("\"eth\\n0\""));
            for (Problem p : problems) {
                assertTrue(p.message().chars().noneMatch(c -> c < 0x20 || c == 0x7f), () -> "raw control character in: " + p);
            }
        }

        @Test
        void invalidInterfaceNameIsReportedOnce() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                          "eth/1": {}
                    """, 6, 7, "interface name \"eth/1\" may use only printable ASCII");
        }

        @Test
        void explicitHostNameOfFifteenBytesIsAccepted() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: abcdefghijklmno
                    """);
            assertEquals("abcdefghijklmno", firstInterface(m).hostName());
        }

        @Test
        void explicitHostNameOfSixteenBytesIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: abcdefghijklmnop
                    """, 6, 20, "containers.web.interfaces.eth0.host-name: interface name \"abcdefghijklmnop\" is 16 bytes");
        }

        @Test
        void explicitHostNameWithASlashIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: veth/web
                    """, 6, 20, "host-name: interface name \"veth/web\" may use only printable ASCII");
        }
    }

    // ---- netns and container names --------------------------------------------------------

    @Nested
    class NetnsNames {
        @Test
        void netnsNameMayUseLettersDigitsAndUnderscoreDotPlusAtDash() {
            Manifest m = assertValid("""
                    version: 1
                    host:
                      netns: _host.ns+1@x-y
                    containers:
                      web:
                        netns: Web_1.a+b@c-d
                        interfaces:
                          eth0: {}
                    """);
            assertEquals(new Netns("_host.ns+1@x-y"), m.host().netns());
            assertEquals(new Netns("Web_1.a+b@c-d"), m.containers().get(0).netns());
        }

        @Test
        void hostNetnsWithASlashIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: bad/ns
                    """, 3, 10, "host.netns: name \"bad/ns\" must start with a letter, digit or '_'");
        }

        @Test
        void containerNetnsStartingWithADotIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        netns: .hidden
                        interfaces:
                          eth0: {}
                    """, 4, 12, "containers.web.netns: name \".hidden\" must start with a letter, digit or '_'");
        }

        @Test
        void emptyContainerNetnsIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        netns: ""
                        interfaces:
                          eth0: {}
                    """, 4, 12, "containers.web.netns: a netns name cannot be empty");
        }

        @Test
        void netnsNameOf255CharactersIsAccepted() {
            String name = "n".repeat(255);
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        netns: NAME
                        interfaces:
                          eth0: {}
                    """.replace("NAME", name));
            assertEquals(new Netns(name), m.containers().get(0).netns());
        }

        @Test
        void netnsNameOf256CharactersIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        netns: NAME
                        interfaces:
                          eth0: {}
                    """.replace("NAME", "n".repeat(256)), 4, 12, "containers.web.netns: name", "at most 255");
        }

        @Test
        void containerNameStartingWithADashIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      -web:
                        interfaces:
                          eth0: {}
                    """, 3, 3, "container name \"-web\" must start with a letter, digit or '_'");
        }

        @Test
        void containerNameWithASlashIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web/1:
                        interfaces:
                          eth0: {}
                    """, 3, 3, "container name \"web/1\" must start with a letter, digit or '_'");
        }

        @Test
        void containerNameWithNonAsciiIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      wéb:
                        interfaces:
                          eth0: {}
                    """, 3, 3, "container name \"w\\u00e9b\"");
        }

        @Test
        void createNetnsOnTheHostNeedsANetnsName() {
            assertSingleProblem("""
                    version: 1
                    host:
                      create-netns: true
                    """, 3, 17, "host.create-netns needs host.netns");
        }
    }

    // ---- default host-names ---------------------------------------------------------------

    @Nested
    class DefaultHostNames {
        @Test
        void defaultHostNameIsRvDashContainer() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                    """);
            assertEquals("rv-web", firstInterface(m).hostName());
        }

        @Test
        void defaultHostNameAddsTheInterfaceNameWhenThereAreSeveral() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            gateway: false
                          eth1: {}
                    """);
            assertEquals(List.of("rv-web-eth0", "rv-web-eth1"),
                    m.containers().get(0).interfaces().stream().map(Manifest.Interface::hostName).toList());
        }

        @Test
        void defaultHostNameOfExactlyFifteenBytesIsAccepted() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      abcdefghijkl:
                        interfaces:
                          eth0: {}
                    """);
            assertEquals("rv-abcdefghijkl", firstInterface(m).hostName());
        }

        @Test
        void defaultHostNameLongerThanFifteenBytesIsRejectedAtTheInterface() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      abcdefghijklm:
                        interfaces:
                          eth0: {}
                    """, 5, 7, "the default host-name \"rv-abcdefghijklm\"", "is 16 bytes", "set host-name");
        }

        @Test
        void defaultHostNamesOfSeveralInterfacesAreCheckedEach() {
            assertProblems("""
                    version: 1
                    containers:
                      longname:
                        interfaces:
                          eth0: {}
                          eth1: {}
                    """,
                    at(5, 7, "the default host-name \"rv-longname-eth0\"", "is 16 bytes"),
                    at(6, 7, "the default host-name \"rv-longname-eth1\"", "is 16 bytes"));
        }

        @Test
        void explicitHostNameReplacesATooLongDefault() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      abcdefghijklm:
                        interfaces:
                          eth0:
                            host-name: rv-abc
                    """);
            assertEquals("rv-abc", firstInterface(m).hostName());
        }
    }

    // ---- containers and interfaces ---------------------------------------------------------

    @Nested
    class ContainerShape {
        @Test
        void emptyContainerIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                    """, 3, 3, "containers.web is empty");
        }

        @Test
        void containerWithoutInterfacesIsAllowed() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        netns: web
                        create-netns: true
                    """);
            assertEquals(List.of(), m.containers().get(0).interfaces());
            assertTrue(m.containers().get(0).createNetns());
        }

        @Test
        void containerWithAnEmptyInterfacesMappingIsAllowed() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces: {}
                    """);
            assertEquals(List.of(), m.containers().get(0).interfaces());
        }

        @Test
        void addressItemWithoutAddressIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - route: false
                    """, 7, 13, "addresses item: \"address\" is missing");
        }

        @Test
        void routeItemWithoutToIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - via: 10.0.0.1
                    """, 7, 13, "routes item: \"to\" is missing");
        }
    }

    // ---- addresses and prefixes -----------------------------------------------------------

    @Nested
    class AddressSyntax {
        static String withAddress(String address) {
            return """
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - ADDRESS
                    """.replace("ADDRESS", address);
        }

        private static String withRoute(String route) {
            return """
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - ROUTE
                    """.replace("ROUTE", route);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"10.0.0.256", "10.0.0.1/33", "2001:db8::1/129", "2001:db8::g", "foo", "10.0.0.1/24/8"})
        void invalidAddressIsRejected(String address) {
            assertSingleProblem(withAddress(address), 7, 13,
                    "containers.web.interfaces.eth0.addresses: \"" + address + "\" is not an IP address or prefix");
        }

        @Test
        void invalidRouteIsRejected() {
            assertSingleProblem(withRoute("bar"), 7, 13, "routes: \"bar\" is not an IP address or prefix");
        }

        @Test
        void ipv4RouteWithHostBitsSuggestsTheNetwork() {
            assertSingleProblem(withRoute("10.5.5.1/24"), 7, 13,
                    "routes: 10.5.5.1/24 has host bits set", "did you mean 10.5.5.0/24?");
        }

        @Test
        void ipv6RouteWithHostBitsSuggestsTheNetwork() {
            assertSingleProblem(withRoute("2001:db8::1/64"), 7, 13,
                    "2001:db8::1/64 has host bits set", "did you mean 2001:db8::/64?");
        }

        @Test
        void routeToWithHostBitsSuggestsTheNetwork() {
            assertSingleProblem(withRoute("to: 10.6.6.6/16"), 7, 17,
                    "10.6.6.6/16 has host bits set", "did you mean 10.6.0.0/16?");
        }

        @Test
        void routeAsWithHostBitsSuggestsTheNetwork() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.7.0.1/24
                                route-as: 10.7.0.1/16
                    """, 8, 23, "route-as: 10.7.0.1/16 has host bits set", "did you mean 10.7.0.0/16?");
        }

        @Test
        void addressWithAZoneIdIsRejected() {
            assertSingleProblem(withAddress("2001:db8::1%eth0"), 7, 13, "\"2001:db8::1%eth0\" has a zone id");
        }

        @Test
        void addressWithAZoneIdAndLengthIsRejected() {
            assertSingleProblem(withAddress("2001:db8::1%eth0/64"), 7, 13, "has a zone id");
        }

        @Test
        void routeWithAZoneIdIsRejected() {
            assertSingleProblem(withRoute("2001:db8:1::%eth0/64"), 7, 13, "routes: \"2001:db8:1::%eth0/64\" has a zone id");
        }

        @Test
        void routeAsWithAZoneIdIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 2001:db8::1/64
                                route-as: 2001:db8::%eth0/48
                    """, 8, 23, "route-as: \"2001:db8::%eth0/48\" has a zone id");
        }

        @Test
        void viaWithAZoneIdIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:db8::1
                            routes:
                              - to: 2001:db8:2::/64
                                via: 2001:db8::1%eth0
                    """, 10, 18, "via", "zone id");
        }

        @Test
        void viaWithALengthIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                            routes:
                              - to: 10.3.0.0/16
                                via: 10.0.0.0/24
                    """, 10, 18, "routes.via: \"10.0.0.0/24\" is not a single IP address");
        }

        @Test
        void emptyAddressIsRejectedAsNotAnAddress() {
            assertSingleProblem(withAddress("\"\""), 7, 13, "\"\" is not an IP address");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"10.5.5.*/24", "10.5.5.1-5/24"})
        void addressRangesAreRejected(String address) {
            assertSingleProblem(withAddress(address), 7, 13, "is not an IP address");
        }

        @Test
        void networkAddressWithALengthIsASingleAddress() {
            Manifest m = assertValid(withAddress("10.5.5.0/24"));
            Manifest.AssignedAddress a = firstInterface(m).addresses().get(0);
            assertFalse(a.cidr().ip().isMultiple(), "address is a range: " + a.cidr());
            assertEquals("10.5.5.0/24", a.cidr().toString());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"10.1", "010.0.0.1", "0x0a.0.0.2", "4294967295", "10.0.0.1/255.255.255.0"})
        void onlyDottedQuadIpv4IsAccepted(String address) {
            assertSingleProblem(withAddress(address), 7, 13, "is not an IP address");
        }
    }

    // ---- addresses a container cannot have ------------------------------------------------

    @Nested
    class ReservedAddresses {
        private static String withAddress(String address) {
            return AddressSyntax.withAddress(address);
        }

        @Test
        void ipv6LinkLocalAddressIsRejected() {
            assertSingleProblem(withAddress("fe80::5"), 7, 13, "fe80::5/128 is IPv6 link-local",
                    "cannot be assigned to a container");
        }

        @Test
        void ipv6LinkLocalAddressWithALengthIsRejectedOnce() {
            assertSingleProblem(withAddress("fe80::5/64"), 7, 13, "fe80::5/64 is IPv6 link-local");
        }

        @Test
        void ipv6MulticastAddressIsRejected() {
            assertSingleProblem(withAddress("ff02::1"), 7, 13, "ff02::1/128 is a multicast address");
        }

        @Test
        void ipv6LoopbackAddressIsRejected() {
            assertSingleProblem(withAddress("::1"), 7, 13, "::1/128 is a loopback address");
        }

        @Test
        void ipv6UnspecifiedAddressIsRejected() {
            assertSingleProblem(withAddress("\"::\""), 7, 13, "::/128 is the unspecified address");
        }

        @Test
        void ipv4MappedIpv6AddressIsRejected() {
            assertSingleProblem(withAddress("::ffff:10.0.0.1"), 7, 13, "is an IPv4-mapped IPv6 address",
                    "write the IPv4 address instead");
        }

        @Test
        void ipv4LoopbackAddressIsRejected() {
            assertSingleProblem(withAddress("127.0.0.1"), 7, 13, "127.0.0.1/32 is a loopback address");
        }

        @Test
        void ipv4MulticastAddressIsRejected() {
            assertSingleProblem(withAddress("224.0.0.1"), 7, 13, "224.0.0.1/32 is a multicast address");
        }

        @Test
        void ipv4UnspecifiedAddressIsRejected() {
            assertSingleProblem(withAddress("0.0.0.0"), 7, 13, "0.0.0.0/32 is the unspecified address");
        }

        @Test
        void globalIpv6AddressIsAccepted() {
            assertValid(withAddress("2001:db8::1"));
        }
    }

    // ---- route: false and route-as --------------------------------------------------------

    @Nested
    class RouteAs {
        @Test
        void routeAsMustContainTheAddress() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.7.0.1/24
                                route-as: 10.8.0.0/16
                    """, 7, 22, "route-as 10.8.0.0/16 does not contain 10.7.0.1");
        }

        @Test
        void routeAsNotContainingTheAddressIsReportedOnce() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.7.0.1/24
                                route-as: 10.8.0.0/16
                    """, 7, 22, "route-as 10.8.0.0/16 does not contain 10.7.0.1");
        }

        @Test
        void routeAsOfTheOtherFamilyDoesNotContainTheAddress() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.7.0.1/24
                                route-as: 2001:db8::/32
                    """, 7, 22, "route-as 2001:db8::/32 does not contain 10.7.0.1");
        }

        @Test
        void routeFalseTogetherWithRouteAsIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.9.0.1/24
                                route: false
                                route-as: 10.9.0.0/16
                    """, 9, 23, "route: false and route-as contradict each other");
        }

        @Test
        void routeAsReplacesTheAutoRoute() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.7.0.1/24
                                route-as: 10.7.0.0/16
                    """);
            assertEquals(List.of("10.7.0.0/16"), firstInterface(m).routedPrefixes().stream().map(r -> r.to().toString()).toList());
        }
    }

    // ---- version, route-protocol, mtu, mac, gateways --------------------------------------

    @Nested
    class Settings {
        @Test
        void missingVersionIsReportedAtTheStartOfTheManifest() {
            assertSingleProblem("""
                    # a manifest

                    host: {}
                    """, 3, 1, "\"version\" is missing", "version: 1");
        }

        @Test
        void version2IsRejected() {
            assertSingleProblem("version: 2\n", 1, 10, "version 2 is not supported", "version 1");
        }

        @Test
        void emptyVersionIsRejected() {
            assertSingleProblem("version:\n", 1, 9, "version must be a whole number", "not an empty value");
        }

        @ParameterizedTest(name = "route-protocol {0}")
        @ValueSource(ints = {0, 4, 256, 1000})
        void routeProtocolOutside5To255IsRejected(int protocol) {
            assertSingleProblem("""
                    version: 1
                    host:
                      route-protocol: PROTO
                    """.replace("PROTO", Integer.toString(protocol)), 3, 19, "host.route-protocol must be 5..255");
        }

        @ParameterizedTest(name = "route-protocol {0}")
        @ValueSource(ints = {5, 147, 255})
        void routeProtocolInside5To255IsAccepted(int protocol) {
            Manifest m = assertValid("""
                    version: 1
                    host:
                      route-protocol: PROTO
                    """.replace("PROTO", Integer.toString(protocol)));
            assertEquals(protocol, m.host().routeProtocol());
        }

        private static String withInterfaceSetting(String setting) {
            return """
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            SETTING
                    """.replace("SETTING", setting);
        }

        @ParameterizedTest(name = "mtu {0}")
        @ValueSource(ints = {0, 67, 65536})
        void mtuOutside68To65535IsRejected(int mtu) {
            assertSingleProblem(withInterfaceSetting("mtu: " + mtu), 6, 14, "mtu " + mtu + " is outside 68..65535");
        }

        @ParameterizedTest(name = "mtu {0}")
        @ValueSource(ints = {68, 1500, 65535})
        void mtuInside68To65535IsAccepted(int mtu) {
            Manifest m = assertValid(withInterfaceSetting("mtu: " + mtu));
            assertEquals(OptionalInt.of(mtu), firstInterface(m).mtu());
        }

        @Test
        void mtuTooLargeForAnIntegerIsRejected() {
            assertSingleProblem(withInterfaceSetting("mtu: 99999999999"), 6, 14, "mtu 99999999999 is not a whole number in range");
        }

        @Test
        void hexadecimalMtuIsReadAsANumber() {
            Manifest m = assertValid(withInterfaceSetting("mtu: 0x5dc"));
            assertEquals(OptionalInt.of(1500), firstInterface(m).mtu());
        }

        @ParameterizedTest(name = "mac {0}")
        @ValueSource(strings = {"\"02:00:00:00:00\"", "\"02:00:00:00:00:0g\"", "\"02-00-00-00-00-01\"", "\"0200.0000.0001\""})
        void malformedMacIsRejected(String mac) {
            assertSingleProblem(withInterfaceSetting("mac: " + mac), 6, 14, "mac " + mac + " is not a MAC address");
        }

        @ParameterizedTest(name = "mac {0}")
        @ValueSource(strings = {"03:00:00:00:00:01", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff"})
        void multicastMacIsRejected(String mac) {
            assertSingleProblem(withInterfaceSetting("mac: \"" + mac + "\""), 6, 14, "mac " + mac + " is multicast or zero");
        }

        @Test
        void allZeroMacIsRejected() {
            assertSingleProblem(withInterfaceSetting("mac: \"00:00:00:00:00:00\""), 6, 14,
                    "mac 00:00:00:00:00:00 is multicast or zero");
        }

        @Test
        void ipv4GatewayMustBeIpv4() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv4-gateway: fe80::1
                    """, 3, 17, "host.ipv4-gateway: \"fe80::1\" is not an IPv4 address");
        }

        @Test
        void ipv6GatewayMustBeIpv6() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv6-gateway: 169.254.0.1
                    """, 3, 17, "host.ipv6-gateway: \"169.254.0.1\" is not an IPv6 address");
        }

        @Test
        void gatewayWithAPrefixLengthIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv6-gateway: 2001:db8::1/64
                    """, 3, 17, "host.ipv6-gateway: \"2001:db8::1/64\" is not an IPv6 address", "without a prefix length");
        }

        @ParameterizedTest(name = "ipv4-gateway {0}")
        @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "224.0.0.1"})
        void unusableIpv4GatewayIsRejected(String gateway) {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv4-gateway: GW
                    """.replace("GW", gateway), 3, 17, "host.ipv4-gateway");
        }
    }

    // ---- hostile input --------------------------------------------------------------------

    @Nested
    class HostileInput {
        /** levels x fanOut aliases to lists: fanOut^levels "lol"s when expanded. */
        private static String billionLaughs(int levels, int fanOut) {
            List<String> lines = new ArrayList<>();
            lines.add("version: 1");
            lines.add("l0: &l0 [" + String.join(", ", Collections.nCopies(fanOut, "lol")) + "]");
            for (int i = 1; i <= levels; i++) {
                lines.add("l" + i + ": &l" + i + " [" + String.join(", ", Collections.nCopies(fanOut, "*l" + (i - 1))) + "]");
            }
            return String.join("\n", lines) + "\n";
        }

        @Test
        void aliasBombOverTheAliasLimitIsRejectedQuickly() {
            // 12 levels of 10 aliases each: 120 aliases, 10^12 nodes if expanded
            List<Problem> problems = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> problemsOf(billionLaughs(12, 10)));
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblem(problems, 1, 1, "aliases", "max=" + ManifestReader.MAX_ALIASES);
        }

        @Test
        void classicBillionLaughsIsRejectedQuickly() {
            // 9 levels of 9 aliases: under the alias limit, so it must not be expanded either
            List<Problem> problems = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> problemsOf(billionLaughs(9, 9)));
            assertHasProblem(problems, 2, 1, "unknown key \"l0\"");
            assertHasProblem(problems, 11, 1, "unknown key \"l9\"");
        }

        @Test
        void aliasBombUsedAsAValueIsNotExpanded() {
            String yaml = billionLaughs(8, 9) + """
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses: *l8
                    """;
            List<Problem> problems = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> problemsOf(yaml));
            assertHasProblemMentioning(problems, "addresses must be a single value, not a list");
        }

        @Test
        void deeplyNestedYamlIsRejected() {
            String yaml = "version: 1\nx: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
            assertSingleProblem(yaml, 1, 1, "YAML nesting is too deep");
        }

        @Test
        void nonUtf8FileIsRejected(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("latin1.yaml");
            Files.write(file, "version: 1\nhost:\n  netns: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
            ManifestException e = assertThrows(ManifestException.class, () -> ManifestReader.read(file));
            assertEquals(1, e.problems().size(), e::getMessage);
            assertEquals(new Location(file.toString(), 1, 1), e.problems().get(0).at());
            assertTrue(e.problems().get(0).message().contains("not UTF-8"), e::getMessage);
        }
    }

    // ---- all problems at once -------------------------------------------------------------

    @Test
    void independentReadingMistakesAreAllReportedSortedByLine() {
        // found in the order 2:1 (keys first), 1:10 (then values), 7:14; reported by place
        assertProblems("""
                version: 2
                hots: {}
                containers:
                  web:
                    interfaces:
                      eth0:
                        mtu: big
                """,
                at(1, 10, "version 2 is not supported"),
                at(2, 1, "unknown key \"hots\"", "did you mean \"host\"?"),
                at(7, 14, "mtu must be a whole number"));
    }
}

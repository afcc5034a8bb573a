package io.rveth.manifest;

import static io.rveth.manifest.ManifestTestSupport.ISSUE_EXAMPLE;
import static io.rveth.manifest.ManifestTestSupport.assertHasProblem;
import static io.rveth.manifest.ManifestTestSupport.assertHasProblemMentioning;
import static io.rveth.manifest.ManifestTestSupport.assertProblems;
import static io.rveth.manifest.ManifestTestSupport.assertSingleProblem;
import static io.rveth.manifest.ManifestTestSupport.assertValid;
import static io.rveth.manifest.ManifestTestSupport.at;
import static io.rveth.manifest.ManifestTestSupport.problemsOf;
import static io.rveth.manifest.ManifestTestSupport.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link ManifestValidator}, which relate parts of a manifest to each other:
 * unique host-names, addresses and routed prefixes; addresses covered by their routes; sane
 * next hops and gateways; one default route per family and netns. Every manifest goes
 * through {@link ManifestReader#parse}, as users' manifests do.
 */
class ManifestValidatorTest {

    @Test
    void issueExampleIsValid() {
        assertValid(ISSUE_EXAMPLE);
    }

    // ---- host-names -----------------------------------------------------------------------

    @Nested
    class HostNames {
        @Test
        void aHostNameThatIsTheUplinkIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host: {uplink: rv-web}
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                    """, 6, 7, "host-name rv-web is host.uplink", "give this interface another host-name");
        }

        @Test
        void theLoopbackIsNoUplink() {
            assertSingleProblem("""
                    version: 1
                    host:
                      uplink: lo
                    """, 3, 11, "host.uplink: lo is the loopback");
        }

        @Test
        void anUplinkThatIsNoLinkNameIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      uplink: "eth0 with a space"
                    """, 3, 11, "host.uplink:");
        }

        @Test
        void sameDefaultHostNameFromTwoContainersIsRejected() {
            // web has two interfaces (rv-web-eth0, rv-web-eth1); "web-eth0" has one (rv-web-eth0)
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            gateway: false
                          eth1: {}
                      web-eth0:
                        interfaces:
                          eth0: {}
                    """, 10, 7, "host-name rv-web-eth0 is already used at line 5", "its own host-name");
        }

        @Test
        void explicitHostNameEqualToAnotherDefaultIsRejected() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                      db:
                        interfaces:
                          eth0:
                            host-name: rv-web
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "host-name rv-web is already used at line 5");
        }

        @Test
        void sameExplicitHostNameTwiceIsRejected() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: veth-a
                      db:
                        interfaces:
                          eth0:
                            host-name: veth-a
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "host-name veth-a is already used", "its own host-name");
        }

        @Test
        void sameExplicitHostNameTwiceIsReportedAtTheHostNames() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: veth-a
                      db:
                        interfaces:
                          eth0:
                            host-name: veth-a
                    """, 10, 20, "host-name veth-a is already used at line 6");
        }

        @Test
        void differentHostNamesAreAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            host-name: veth-a
                      db:
                        interfaces:
                          eth0:
                            host-name: veth-b
                    """);
        }
    }

    // ---- addresses covered by routes ------------------------------------------------------

    @Nested
    class Coverage {
        @Test
        void routeFalseAddressWithoutACoveringRouteIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.6.0.1/24
                                route: false
                    """, 7, 22, "web/eth0: no route of this interface covers 10.6.0.1", "add a route containing it");
        }

        @Test
        void routeFalseAddressCoveredByADeclaredRouteIsAccepted() {
            Manifest m = assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.6.0.1/24
                                route: false
                            routes:
                              - 10.6.0.0/16
                    """);
            assertEquals(List.of("10.6.0.0/16"),
                    m.containers().get(0).interfaces().get(0).routedPrefixes().stream().map(r -> r.to().toString()).toList());
        }

        @Test
        void routeFalseAddressCoveredByAnotherAddressesAutoRouteIsAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.6.0.2/16
                              - address: 10.6.0.1/24
                                route: false
                    """);
        }

        @Test
        void routeFalseAddressCoveredOnlyByAnotherInterfacesRouteIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.6.0.1/24
                                route: false
                          eth1:
                            gateway: false
                            routes:
                              - 10.6.0.0/16
                    """, 7, 22, "web/eth0: no route of this interface covers 10.6.0.1");
        }
    }

    // ---- one owner per address ------------------------------------------------------------

    @Nested
    class DuplicateAddresses {
        @Test
        void sameAddressInTwoContainersIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                      db:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1/24
                    """, 12, 13, "10.0.0.1 is already assigned at line 7", "an address belongs to one interface");
        }

        @Test
        void sameAddressOnTwoInterfacesOfOneContainerIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                          eth1:
                            gateway: false
                            addresses:
                              - address: 10.0.0.1
                                route: false
                            routes:
                              - 10.0.0.0/30
                    """, 11, 22, "10.0.0.1 is already assigned at line 7");
        }

        @Test
        void sameIpv6AddressWrittenDifferentlyIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:db8::1
                      db:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:0DB8:0:0:0:0:0:1
                    """, 12, 13, "2001:db8::1 is already assigned at line 7");
        }

        @Test
        void sameAddressTwiceOnOneInterfaceIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1/24
                              - 10.0.0.1/24
                    """, 8, 13, "10.0.0.1 is already assigned at line 7");
        }
    }

    // ---- one owner per routed prefix ------------------------------------------------------

    @Nested
    class Overlaps {
        @Test
        void subnetDeclaredAfterItsSupernetIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            routes:
                              - 10.0.0.0/8
                      b:
                        interfaces:
                          eth0:
                            routes:
                              - 10.1.0.0/16
                    """, 12, 13, "10.1.0.0/16 (b/eth0) overlaps 10.0.0.0/8 routed to a/eth0 at line 7",
                    "routed to one interface only");
        }

        @Test
        void subnetDeclaredBeforeItsSupernetIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            routes:
                              - 10.1.0.0/16
                      b:
                        interfaces:
                          eth0:
                            routes:
                              - 10.0.0.0/8
                    """, 7, 13, "10.1.0.0/16 (a/eth0) overlaps 10.0.0.0/8 routed to b/eth0 at line 12");
        }

        @Test
        void samePrefixOnTwoContainersIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            routes:
                              - 10.1.0.0/16
                      b:
                        interfaces:
                          eth0:
                            routes:
                              - 10.1.0.0/16
                    """, 12, 13, "10.1.0.0/16 (b/eth0) overlaps 10.1.0.0/16 routed to a/eth0 at line 7");
        }

        @Test
        void autoRoutesOfTwoContainersOverlap() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.1.2.3/16
                      b:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.1.9.9
                    """, 12, 13, "10.1.9.9/32 (b/eth0) overlaps 10.1.0.0/16 routed to a/eth0 at line 7");
        }

        @Test
        void autoRouteDeclaredBeforeAnOverlappingRouteIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.5.5.1/24
                      b:
                        interfaces:
                          eth0:
                            routes:
                              - 10.5.0.0/16
                    """, 7, 13, "10.5.5.0/24 (a/eth0) overlaps 10.5.0.0/16 routed to b/eth0 at line 12");
        }

        @Test
        void routeDeclaredAfterAnOverlappingRouteAsIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.7.0.1/24
                                route-as: 10.7.0.0/16
                      b:
                        interfaces:
                          eth0:
                            routes:
                              - 10.7.9.0/24
                    """, 13, 13, "10.7.9.0/24 (b/eth0) overlaps 10.7.0.0/16 routed to a/eth0 at line 7");
        }

        @Test
        void routesOfTwoInterfacesOfOneContainerMayNotOverlap() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:db8:1::1
                          eth1:
                            gateway: false
                            addresses:
                              - 2001:db8::1/32
                    """, 7, 13, "2001:db8:1::1/128 (a/eth0) overlaps 2001:db8::/32 routed to a/eth1 at line 11");
        }

        @Test
        void overlappingRoutesOfOneInterfaceAreAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.6.1.1/24
                            routes:
                              - 10.6.0.0/16
                              - 10.6.2.0/24
                    """);
        }

        @Test
        void adjacentPrefixesOfTwoContainersAreAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      a:
                        interfaces:
                          eth0:
                            routes:
                              - 10.0.0.0/25
                      b:
                        interfaces:
                          eth0:
                            routes:
                              - 10.0.0.128/25
                    """);
        }

        @Test
        void samePrefixListedTwiceOnOneInterfaceIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - 10.6.0.0/16
                              - to: 10.6.0.0/16
                    """, 8, 17, "10.6.0.0/16 is already routed to web/eth0 at line 7", "list it once");
        }

        @Test
        void defaultRouteToAContainerIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - 0.0.0.0/0
                    """, 7, 13, "0.0.0.0/0 would route everything to web/eth0");
        }

        @Test
        void loopbackAndMulticastRangesCannotBeRouted() {
            assertProblems("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - 127.0.0.0/8
                              - 224.0.0.0/4
                              - ff00::/8
                    """,
                    at(7, 13, "127.0.0.0/8 is a link-local, loopback or multicast range"),
                    at(8, 13, "224.0.0.0/4 is a link-local, loopback or multicast range"),
                    at(9, 13, "ff00::/8 is a link-local, loopback or multicast range"));
        }

        @Test
        void ipv6LinkLocalRangeCannotBeRouted() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - fe80::/64
                    """, 7, 13, "fe80::/64 is a link-local, loopback or multicast range", "cannot be routed to a container");
        }
    }

    // ---- next hops ------------------------------------------------------------------------

    @Nested
    class NextHops {
        @Test
        void viaMustBeAnAddressOfTheInterface() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                            routes:
                              - to: 10.1.0.0/16
                                via: 10.0.0.2
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "via 10.0.0.2 is not an address of web/eth0", "one of its addresses");
        }

        @Test
        void viaProblemIsReportedAtTheVia() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                            routes:
                              - to: 10.1.0.0/16
                                via: 10.0.0.2
                    """, 10, 18, "via 10.0.0.2 is not an address of web/eth0");
        }

        @Test
        void viaMayNotBeAnAddressOfAnotherInterface() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                            routes:
                              - to: 10.1.0.0/16
                                via: 10.0.0.5
                          eth1:
                            gateway: false
                            addresses:
                              - 10.0.0.5
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "via 10.0.0.5 is not an address of web/eth0");
        }

        @Test
        void ipv6ViaOnAnIpv4RouteIsRejected() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                              - 2001:db8::1
                            routes:
                              - to: 10.2.0.0/16
                                via: 2001:db8::1
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "via 2001:db8::1 is IPv6 but 10.2.0.0/16 is IPv4",
                    "the next hop must be of the route's family");
        }

        @Test
        void ipv4ViaOnAnIpv6RouteIsRejected() {
            List<Problem> problems = problemsOf("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                              - 2001:db8::1
                            routes:
                              - to: 2001:db8:1::/48
                                via: 10.0.0.1
                    """);
            assertEquals(1, problems.size(), () -> render(problems));
            assertHasProblemMentioning(problems, "via 10.0.0.1 is IPv4 but 2001:db8:1::/48 is IPv6");
        }

        @Test
        void viaAnAssignedOnlyAddressOfTheInterfaceIsAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - address: 10.6.0.1/24
                                route: false
                            routes:
                              - 10.6.0.0/16
                              - to: 198.51.100.64/26
                                via: 10.6.0.1
                    """);
        }
    }

    // ---- gateways -------------------------------------------------------------------------

    @Nested
    class Gateways {
        @Test
        void routeContainingTheDefaultIpv4GatewayIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - 169.254.0.0/16
                    """, 7, 13, "169.254.0.0/16 (web/eth0) contains the IPv4 gateway 169.254.0.1", "host.ipv4-gateway");
        }

        @Test
        void defaultIpv4GatewayAssignedToAContainerIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 169.254.0.1
                    """, 7, 13, "169.254.0.1/32 (web/eth0) contains the IPv4 gateway 169.254.0.1");
        }

        @Test
        void routeContainingTheDefaultIpv6GatewayIsRejected() {
            assertHasProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - fe80::/10
                    """, 7, 13, "fe80::/10 (web/eth0) contains the IPv6 gateway fe80::1", "host.ipv6-gateway");
        }

        @Test
        void routeContainingACustomIpv4GatewayIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv4-gateway: 192.0.2.1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            routes:
                              - 192.0.2.0/24
                    """, 9, 13, "192.0.2.0/24 (web/eth0) contains the IPv4 gateway 192.0.2.1", "host.ipv4-gateway");
        }

        @Test
        void addressEqualToACustomIpv6GatewayIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      ipv6-gateway: 2001:db8:ffff::1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:db8:ffff::1/48
                    """, 9, 13, "2001:db8:ffff::/48 (web/eth0) contains the IPv6 gateway 2001:db8:ffff::1",
                    "host.ipv6-gateway");
        }

        @Test
        void defaultGatewayAddressIsFreeOnceACustomGatewayIsSet() {
            assertValid("""
                    version: 1
                    host:
                      ipv4-gateway: 192.0.2.1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 169.254.0.1
                    """);
        }
    }

    // ---- MTU and IPv6 ---------------------------------------------------------------------

    @Nested
    class Mtu {
        @Test
        void mtuBelow1280WithAnIpv6AddressIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: 1279
                            addresses:
                              - 2001:db8::1
                    """, 5, 7, "web/eth0: mtu 1279 is below 1280", "the interface has IPv6");
        }

        @Test
        void mtuBelow1280WithAnIpv6RouteIsRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: 1000
                            routes:
                              - 2001:db8:5::/48
                    """, 5, 7, "web/eth0: mtu 1000 is below 1280");
        }

        @Test
        void mtu1280WithIpv6IsAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: 1280
                            addresses:
                              - 2001:db8::1
                    """);
        }

        @Test
        void smallMtuWithIpv4OnlyIsAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            mtu: 576
                            addresses:
                              - 10.0.0.1
                    """);
        }
    }

    // ---- namespaces -----------------------------------------------------------------------

    @Nested
    class Namespaces {
        @Test
        void containerInTheHostNetnsIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: shared
                    containers:
                      web:
                        netns: shared
                        interfaces:
                          eth0: {}
                    """, 5, 3, "container web uses the host's netns shared", "set containers.web.netns");
        }

        @Test
        void containerWhoseDefaultNetnsIsTheHostNetnsIsRejected() {
            assertSingleProblem("""
                    version: 1
                    host:
                      netns: web
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                    """, 5, 3, "container web uses the host's netns web");
        }

        @Test
        void containersSharingANetnsNeedDifferentInterfaceNames() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        netns: pod
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                      b:
                        netns: pod
                        interfaces:
                          eth0:
                            gateway: false
                            addresses:
                              - 10.0.0.2
                    """, 12, 7, "netns pod already gets an interface eth0 from a/eth0 (line 6)",
                    "need different interface names");
        }

        @Test
        void containersSharingANetnsWithDifferentInterfaceNamesAreAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      a:
                        netns: pod
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                      b:
                        netns: pod
                        interfaces:
                          eth1:
                            gateway: false
                            addresses:
                              - 10.0.0.2
                    """);
        }
    }

    // ---- default routes -------------------------------------------------------------------

    @Nested
    class DefaultRoutes {
        @Test
        void twoInterfacesWantingTheIpv4DefaultRouteAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                          eth1:
                            addresses:
                              - 10.0.0.2
                    """, 8, 7, "web/eth1 and web/eth0 both want the IPv4 default route in netns web",
                    "set \"gateway: false\" on one of them");
        }

        @Test
        void twoInterfacesWantingTheIpv6DefaultRouteAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 2001:db8::1
                          eth1:
                            addresses:
                              - 2001:db8::2
                    """, 8, 7, "web/eth1 and web/eth0 both want the IPv6 default route in netns web");
        }

        @Test
        void twoContainersInOneNetnsWantingTheIpv4DefaultRouteAreRejected() {
            assertSingleProblem("""
                    version: 1
                    containers:
                      a:
                        netns: pod
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                      b:
                        netns: pod
                        interfaces:
                          eth1:
                            addresses:
                              - 10.0.0.2
                    """, 12, 7, "b/eth1 and a/eth0 both want the IPv4 default route in netns pod");
        }

        @Test
        void gatewayFalseOnTheSecondInterfaceIsAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                          eth1:
                            gateway: false
                            addresses:
                              - 10.0.0.2
                    """);
        }

        @Test
        void oneGatewayInterfacePerFamilyIsAccepted() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0:
                            addresses:
                              - 10.0.0.1
                          eth1:
                            addresses:
                              - 2001:db8::1
                    """);
        }

        @Test
        void interfacesWithoutAddressesWantNoDefaultRoute() {
            assertValid("""
                    version: 1
                    containers:
                      web:
                        interfaces:
                          eth0: {}
                          eth1: {}
                    """);
        }
    }

    // ---- all problems at once -------------------------------------------------------------

    @Test
    void independentCrossCheckMistakesAreAllReportedSortedByLine() {
        // found in the order 22:20 (names), 18:13 (routes), 9:7 (default routes); reported by place
        assertProblems("""
                version: 1
                containers:
                  web:
                    interfaces:
                      eth0:
                        host-name: h-web0
                        addresses:
                          - 10.0.0.1
                      eth1:
                        host-name: h-web1
                        addresses:
                          - 10.0.0.2
                  db:
                    interfaces:
                      eth0:
                        host-name: h-db
                        addresses:
                          - 10.9.9.1/24
                  mx:
                    interfaces:
                      eth0:
                        host-name: h-db
                        routes:
                          - 10.9.0.0/16
                """,
                at(9, 7, "web/eth1 and web/eth0 both want the IPv4 default route"),
                at(18, 13, "10.9.9.0/24 (db/eth0) overlaps 10.9.0.0/16 routed to mx/eth0 at line 24"),
                at(22, 20, "host-name h-db is already used at line 16"));
    }

    @Test
    void readingAndCrossCheckMistakesAreReportedTogether() {
        assertProblems("""
                version: 1
                host:
                  route-protocol: 3
                containers:
                  web:
                    interfaces:
                      eth0:
                        mtu: big
                        addresses:
                          - 10.0.0.1/8
                  db:
                    interfaces:
                      eth0:
                        addresses:
                          - 10.1.0.1
                """,
                at(3, 19, "host.route-protocol must be 5..255"),
                at(8, 14, "mtu must be a whole number"),
                at(15, 13, "10.1.0.1/32 (db/eth0) overlaps 10.0.0.0/8 routed to web/eth0 at line 10"));
    }

    // ---- scale ----------------------------------------------------------------------------

    @Test
    void fiveThousandContainersParseAndValidate() {
        StringBuilder yaml = new StringBuilder("version: 1\ncontainers:\n");
        for (int i = 0; i < 5000; i++) {
            yaml.append("  c").append(i).append(":\n")
                    .append("    interfaces:\n")
                    .append("      eth0:\n")
                    .append("        addresses:\n")
                    .append("          - 10.").append(i / 256).append('.').append(i % 256).append(".1/32\n")
                    .append("          - 2001:db8:").append(Integer.toHexString(i)).append("::1/64\n")
                    .append("        routes:\n")
                    .append("          - 100.").append(64 + i / 256).append('.').append(i % 256).append(".0/24\n");
        }
        Manifest m = assertValid(yaml.toString());
        assertEquals(5000, m.containers().size());
        assertEquals(15000, DesiredState.of(m).routes().stream().filter(r -> r.netns().isCurrent()).count());
    }
}

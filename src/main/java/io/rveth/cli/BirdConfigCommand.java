package io.rveth.cli;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.rveth.bird.BirdConfig;
import io.rveth.manifest.Manifest;
import io.rveth.model.IpText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bird-config", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = "Print a BIRD 2 include file that announces exactly the prefixes the manifest routes to containers: "
                + "per family a kernel protocol that learns rveth's host routes (its route protocol, the manifest's prefixes), "
                + "and a BGP template '" + BirdConfig.TEMPLATE + "' to instantiate per neighbor. Reads only the manifest; no root needed.")
final class BirdConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ManifestOptions manifest;

    @Option(names = "--local-as", paramLabel = "ASN", description = "Put 'local as ASN' in the template.")
    Long localAs;

    @ArgGroup(exclusive = false, heading = "Add a BGP session from the template (needs --local-as):%n")
    Peer peer;

    static final class Peer {
        @Option(names = "--neighbor", required = true, paramLabel = "ADDRESS", description = "The BGP neighbor's address.")
        String address;
        @Option(names = "--neighbor-as", required = true, paramLabel = "ASN", description = "The BGP neighbor's AS number.")
        Long as;
    }

    @Option(names = "--scan-time", paramLabel = "SECONDS", defaultValue = "" + BirdConfig.DEFAULT_SCAN_TIME,
            description = "Seconds between the kernel protocols' full scans of the main table (default: ${DEFAULT-VALUE}).")
    int scanTime;

    @Option(names = "--kernel", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "--no-kernel leaves out rveth's kernel protocols and tables, for a bird.conf whose own kernel "
                    + "protocol for the main table learns rveth's routes (BIRD allows one per table and family).")
    boolean kernel;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the snippet here (default: stdout).")
    Path out;

    @Override
    public Integer call() throws Exception {
        BirdConfig.Options options;
        try {
            options = new BirdConfig.Options(kernel, scanTime, optional(localAs), neighbor(),
                    peer == null ? OptionalLong.empty() : optional(peer.as));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Manifest m = manifest.load(spec);
        if (m.host().routeProtocol() == RTPROT_BIRD) {
            throw new CommandLine.ParameterException(spec.commandLine(), "host.route-protocol is 12, BIRD's own (rtprot bird):"
                    + " BIRD takes routes with it for ones it installed and never learns them; give rveth another number,"
                    + " such as the default 147");
        }
        String text = BirdConfig.of(m, options);
        if (out == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        }
        return ExitCodes.OK;
    }

    /** The protocol number BIRD puts on the routes it installs, and ignores when it learns. */
    static final int RTPROT_BIRD = 12;

    private Optional<IPAddress> neighbor() {
        if (peer == null) return Optional.empty();
        IPAddress ip = new IPAddressString(peer.address, IpText.STRICT).getAddress();
        if (ip == null || ip.isPrefixed()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--neighbor: not an IP address: " + peer.address);
        }
        if (ip.isLinkLocal()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--neighbor: " + peer.address
                    + " is link-local, and BIRD then needs the interface too; write that protocol bgp by hand");
        }
        if (ip.isAnyLocal() || ip.isMulticast() || ip.isLoopback() || ip.isIPv6() && ip.toIPv6().isIPv4Mapped()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--neighbor: " + peer.address
                    + " cannot be a BGP neighbor (unspecified, multicast, loopback or IPv4-mapped); give the peer's unicast address");
        }
        return Optional.of(ip);
    }

    private static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}

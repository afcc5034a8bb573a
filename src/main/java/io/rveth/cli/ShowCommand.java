package io.rveth.cli;

import io.rveth.live.IpRunner;
import io.rveth.live.LiveReader;
import io.rveth.model.Address;
import io.rveth.model.Netns;
import io.rveth.model.Route;
import io.rveth.model.State;
import io.rveth.model.Sysctl;
import io.rveth.model.Veth;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class, description = "Print the live topology rveth owns: host ends, peers, addresses, routes.")
final class ShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    HostOptions where;

    @Override
    public Integer call() throws Exception {
        HostOptions.Where w = where.resolve(spec);
        LiveReader reader = new LiveReader(new IpRunner());
        reader.checkIp();
        if (!w.host().isCurrent() && !reader.namespaces().contains(w.host())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "netns " + w.host() + " does not exist");
        }
        Set<Netns> containers = w.containers() == null ? Set.of() : w.containers();
        print(reader.read(w.host(), containers, true).state(w.protocol()), w.host(), spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    static void print(State s, Netns host, PrintWriter out) {
        out.println("host netns " + host + ": " + s.veths().size() + " veth pair" + (s.veths().size() == 1 ? "" : "s") + " owned by rveth");
        for (Sysctl x : s.sysctls()) if (x.device() == null) out.println("  " + x.key() + " = " + x.value());
        s.proxies().stream().map(p -> p.dev()).distinct().sorted().forEach(dev -> out.println("  proxy ARP/NDP on " + dev + ": "
                + String.join(", ", s.proxies().stream().filter(p -> p.dev().equals(dev)).map(p -> p.address().toCanonicalString()).sorted().toList())));
        for (Veth v : s.veths().stream().sorted(Comparator.comparing((Veth v) -> v.container()).thenComparing(v -> v.peer().name())).toList()) {
            out.printf("%n  %s/%s: %s <-> %s in netns %s, mtu %s, %s%n", v.container(), v.peer().name(), v.host().name(),
                    v.peer().name(), v.peer().netns(), v.host().mtu().isPresent() ? v.host().mtu().getAsInt() : "?",
                    v.host().up() && v.peer().up() ? "up" : "DOWN");
            list(out, "host addresses", s.addresses().stream().filter(a -> a.netns().equals(host) && a.dev().equals(v.host().name()))
                    .map(a -> a.cidr().toString()).sorted().toList());
            list(out, "host routes", s.routes().stream().filter(r -> r.netns().equals(host) && r.dev().equals(v.host().name()))
                    .sorted(Comparator.comparing(Route::dst)).map(ShowCommand::route).toList());
            for (Sysctl x : s.sysctls()) if (v.host().name().equals(x.device())) out.println("    " + x.key() + " = " + x.value());
            list(out, "addresses", s.addresses().stream().filter(a -> a.netns().equals(v.peer().netns()) && a.dev().equals(v.peer().name()))
                    .map(Address::cidr).sorted().map(Object::toString).toList());
            list(out, "routes", s.routes().stream().filter(r -> r.netns().equals(v.peer().netns()) && r.dev().equals(v.peer().name()))
                    .sorted(Comparator.comparing(Route::dst)).map(ShowCommand::route).toList());
        }
        out.flush();
    }

    private static String route(Route r) {
        return (r.dst().isDefault() ? "default" : r.dst().toString()) + r.via().map(v -> " via " + v.toCanonicalString()).orElse("");
    }

    private static void list(PrintWriter out, String label, List<String> items) {
        out.printf("    %-15s %s%n", label + ":", items.isEmpty() ? "-" : String.join(", ", items));
    }
}

package io.rveth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rveth.apply.Reconciler;
import io.rveth.live.IpRunner;
import io.rveth.manifest.ManifestReader;
import io.rveth.plan.Plan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Verification after an apply takes each container's state from the read its own batch
 * ended with, on the real kernel: no second process per container.
 */
class ReadBackIT {
    static final String MANIFEST = """
            version: 1
            host: {netns: "@NS@-host", create-netns: true}
            containers:
              web:
                netns: "@NS@-web"
                create-netns: true
                interfaces:
                  eth0: {addresses: [203.0.113.10/32, "2001:db8:10::1/128"], routes: [198.51.100.0/29]}
              db:
                netns: "@NS@-db"
                create-netns: true
                interfaces:
                  eth0: {addresses: [203.0.113.20/32]}
            """;

    /** Every ip (or nsenter) process the reconciler starts, with what it was fed. */
    static final class Recording extends IpRunner {
        final List<List<String>> argvs = Collections.synchronizedList(new ArrayList<>());
        final List<String> inputs = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Result run(List<String> argv, String stdin) {
            argvs.add(List.copyOf(argv));
            inputs.add(stdin);
            return super.run(argv, stdin);
        }

        /** The inputs of processes that ran inside netns {@code ns} and read its addresses. */
        List<String> readsIn(String ns) {
            List<String> out = new ArrayList<>();
            synchronized (argvs) {
                for (int i = 0; i < argvs.size(); i++) {
                    if (String.join(" ", argvs.get(i)).contains("/" + ns + " ") && inputs.get(i).contains("addr show")) out.add(inputs.get(i));
                }
            }
            return out;
        }
    }

    @Test
    void eachContainerIsReadOnceByTheBatchThatChangedIt() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Recording ip = new Recording();
            Reconciler reconciler = new Reconciler(ip);
            var manifest = ManifestReader.parse("readback.yaml", MANIFEST.replace("@NS@", s.prefix));
            Plan left = reconciler.apply(reconciler.plan(manifest), b -> { });
            assertTrue(left.isEmpty(), "verified: " + left.changes());
            for (String c : List.of("web", "db")) {
                List<String> reads = ip.readsIn(s.ns(c));
                assertEquals(1, reads.size(), c + " is read once after its batch: " + reads);
                assertTrue(reads.get(0).contains("address add") && reads.get(0).indexOf("address add") < reads.get(0).indexOf("addr show"),
                        "the read follows the changes in the same batch: " + reads.get(0));
            }
            // A second apply changes nothing, and reads each container once, as a plan does.
            ip.argvs.clear();
            ip.inputs.clear();
            assertTrue(reconciler.apply(reconciler.plan(manifest), b -> { }).isEmpty());
            assertEquals(1, ip.readsIn(s.ns("web")).size());
        }
    }
}

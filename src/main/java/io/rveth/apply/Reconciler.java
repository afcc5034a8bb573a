package io.rveth.apply;

import io.rveth.live.IpRunner;
import io.rveth.live.LiveReader;
import io.rveth.manifest.DesiredState;
import io.rveth.manifest.Manifest;
import io.rveth.model.Netns;
import io.rveth.model.State;
import io.rveth.plan.Plan;
import io.rveth.plan.Planner;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The imperative shell around the pure core: read live state, plan, execute, verify. The
 * CLI calls this and renders what it returns.
 */
public final class Reconciler {
    private final IpRunner ip;
    private final LiveReader reader;

    public Reconciler(IpRunner ip) {
        this.ip = ip;
        this.reader = new LiveReader(ip);
    }

    /** Reads the namespaces the manifest names and plans against them. */
    public Plan plan(Manifest manifest) {
        reader.checkIp();
        State desired = DesiredState.of(manifest);
        return Planner.plan(desired, readLive(manifest), manifest.host().netns());
    }

    private State readLive(Manifest manifest) {
        Set<Netns> containers = new TreeSet<>();
        for (Manifest.Container c : manifest.containers()) containers.add(c.netns());
        return reader.read(manifest.host().netns(), manifest.host().routeProtocol(), containers);
    }

    /**
     * Applies {@code plan} (made from {@code manifest} moments ago), then re-reads and
     * re-plans: anything left over is a verification failure, returned as that plan.
     */
    public Plan apply(Manifest manifest, Plan plan, Consumer<Executor.Batch> progress) {
        if (plan.isEmpty()) return plan;
        new Executor(ip).apply(plan, manifest.host().netns(), progress);
        State desired = DesiredState.of(manifest);
        return Planner.plan(desired, readLive(manifest), manifest.host().netns());
    }
}

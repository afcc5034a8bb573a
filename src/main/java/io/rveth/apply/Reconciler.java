package io.rveth.apply;

import io.rveth.live.IpRunner;
import io.rveth.live.LiveDumps;
import io.rveth.live.LiveReader;
import io.rveth.manifest.DesiredState;
import io.rveth.manifest.Manifest;
import io.rveth.model.Netns;
import io.rveth.model.State;
import io.rveth.plan.Plan;
import io.rveth.plan.PlanJson;
import io.rveth.plan.Planner;
import io.rveth.plan.StateDigest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The imperative shell around the pure core: read live state (from the kernel or a
 * snapshot), plan, execute, verify. The CLI calls this and renders what it returns.
 */
public final class Reconciler {
    private final IpRunner ip;
    private final LiveDumps.Source source;

    /** Against the kernel. */
    public Reconciler(IpRunner ip) {
        this(ip, new LiveReader(ip));
    }

    public Reconciler(IpRunner ip, LiveDumps.Source source) {
        this.ip = ip;
        this.source = source;
    }

    /** A plan and what it was made from (see {@link PlanJson.Document}). */
    public record Planned(Manifest manifest, State desired, State live, Plan plan) {
        public PlanJson.Document document(String operation, String toolVersion, List<String> manifests, String liveSource) {
            return new PlanJson.Document(operation, toolVersion, manifest.host().netns(), manifests,
                    StateDigest.of(desired), StateDigest.of(live), liveSource, plan);
        }
    }

    public Planned plan(Manifest manifest) {
        return plan(manifest, false);
    }

    /** @param adopt take over matching objects rveth does not own yet (see {@link Planner#plan}) */
    public Planned plan(Manifest manifest, boolean adopt) {
        if (source instanceof LiveReader reader) reader.checkIp();
        State desired = DesiredState.of(manifest);
        State live = readLive(manifest, adopt);
        return new Planned(manifest, desired, live, Planner.plan(desired, live, manifest.host().netns(), adopt));
    }

    public String liveSource() {
        return source.describe();
    }

    private State readLive(Manifest manifest) {
        return readLive(manifest, false);
    }

    private State readLive(Manifest manifest, boolean adopt) {
        Set<Netns> containers = new TreeSet<>();
        Set<String> hostNames = new TreeSet<>();
        for (Manifest.Container c : manifest.containers()) {
            containers.add(c.netns());
            c.interfaces().forEach(i -> hostNames.add(i.hostName()));
        }
        return source.read(manifest.host().netns(), containers, false)
                .state(manifest.host().routeProtocol(), adopt ? hostNames : Set.of());
    }

    /**
     * Applies {@code plan} to the kernel, then re-reads and re-plans from {@code manifest}:
     * anything left over is a verification failure, returned as that plan.
     */
    public Plan apply(Manifest manifest, Plan plan, Consumer<Executor.Batch> progress) {
        if (plan.isEmpty()) return plan;
        new Executor(ip).apply(plan, manifest.host().netns(), progress);
        return Planner.plan(DesiredState.of(manifest), readLive(manifest), manifest.host().netns());
    }

    /**
     * Checks that neither the manifest nor the owned live state changed since a saved plan
     * was made.
     *
     * @throws StalePlanException when either differs; nothing has been changed
     */
    public void checkFresh(PlanJson.Document saved, Manifest manifest) {
        if (!saved.host().equals(manifest.host().netns())) {
            throw new StalePlanException("the plan is for host netns " + saved.host() + ", the manifest now says "
                    + manifest.host().netns());
        }
        Planned now = plan(manifest);
        if (!StateDigest.of(now.desired()).equals(saved.manifestDigest())) {
            throw new StalePlanException("the manifest changed since the plan was made");
        }
        if (!StateDigest.of(now.live()).equals(saved.liveDigest())) {
            throw new StalePlanException("the live state rveth owns changed since the plan was made");
        }
    }

    /** A saved plan no longer matches the manifest or the host; run plan again. */
    public static final class StalePlanException extends RuntimeException {
        public StalePlanException(String why) {
            super("Saved plan is stale: " + why + "; nothing was changed. Run plan again.");
        }
    }
}

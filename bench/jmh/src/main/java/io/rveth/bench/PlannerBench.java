package io.rveth.bench;

import io.rveth.model.State;
import io.rveth.plan.Plan;
import io.rveth.plan.Planner;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure planner, {@link Planner#plan}: desired state against live state, where a tenth
 * of the containers have drifted (see {@link Synth}). {@code routes} is the number of
 * routes in the desired state (six per container, so 100,000 routes is 16,666 containers,
 * with as many veths, 33,332 container addresses and 33,332 host addresses besides).
 *
 * <p>{@code plan} is the target (100,000 routes in at most 200 ms, growing no faster than
 * n log n). {@code parseLive} and {@code desired} time the two steps that feed it, parsing
 * {@code ip -j} output and turning a manifest into desired state, at the same sizes.
 */
@org.openjdk.jmh.annotations.State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class PlannerBench {
    @Param({"100000"})
    public int routes;

    private int containers;
    private State desired;
    private State live;
    private Synth.Dumps dumps;

    @Setup(Level.Trial)
    public void setUp() {
        containers = Math.max(1, routes / Synth.ROUTES_PER_CONTAINER);
        desired = Synth.desired(containers);
        dumps = Synth.dumps(containers);
        live = dumps.state();
        if (desired.routes().size() != containers * Synth.ROUTES_PER_CONTAINER) {
            throw new IllegalStateException("desired state has " + desired.routes().size() + " routes, expected "
                    + containers * Synth.ROUTES_PER_CONTAINER);
        }
        Plan plan = Planner.plan(desired, live, Synth.HOST);
        // Four changes per drifted container (the last one has no neighbour to point at).
        int drifted = (containers + 9) / 10;
        if (plan.changes().size() < 3 * drifted || plan.changes().size() > 4 * drifted) {
            throw new IllegalStateException("the plan has " + plan.changes().size() + " changes for " + drifted
                    + " drifted containers; expected about " + 4 * drifted + ": the synthetic live state is off");
        }
    }

    @Benchmark
    public Plan plan() {
        return Planner.plan(desired, live, Synth.HOST);
    }

    @Benchmark
    public State parseLive() {
        return dumps.state();
    }

    @Benchmark
    public State desired() {
        return Synth.desired(containers);
    }
}

package dev.stageflow.cli;

import dev.stageflow.servers.FlinkCluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code stageflow cluster}: a standalone Flink session cluster on this machine; see {@link FlinkCluster}. */
@Command(
        name = "cluster",
        header = "Starts, stops and shows a standalone Flink cluster on this machine.",
        mixinStandardHelpOptions = true,
        subcommands = ClusterCommand.Start.class,
        description = {
            "A standalone Flink session cluster on this machine: a JobManager (web UI and REST API) and TaskManagers,"
                    + " each its own JVM, from the Flink jars Maven resolved for the project, with conf/config.yaml and"
                    + " conf/cluster.yaml. Its files are under <data-dir>/cluster/. Submit jobs with 'stageflow submit'.",
            "With --ha: JobManager high availability, a ZooKeeper server of the cluster's own and two JobManagers"
                    + " (conf/cluster-ha.yaml); when the leader dies the standby takes over and recovers its jobs from"
                    + " their latest checkpoints."
        })
final class ClusterCommand {

    @Mixin
    DataDirOption dataDir;

    @Spec
    CommandSpec spec;

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops every process of the cluster, ZooKeeper last (SIGTERM, SIGKILL after 30 s).")
    int stop() {
        List<String> stopped = cluster().stop();
        out().println(stopped.isEmpty() ? "No cluster running from " + cluster().directory() : "Stopped " + stopped);
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The cluster's processes, which JobManager leads and the registered TaskManagers; exit status"
                    + " 3 if none runs.")
    int status() {
        FlinkCluster cluster = cluster();
        List<String> names = new ArrayList<>(cluster.processNames());
        var running = cluster.running();
        names.forEach(name -> out().println(name + ": " + (running.containsKey(name)
                ? "running (pid " + running.get(name) + ")" : "not running")));
        if (running.isEmpty()) {
            out().println("No cluster running from " + cluster.directory());
            return 3;
        }
        FlinkCluster.State state = cluster.state().orElseThrow();
        Optional<String> leader = cluster.leader(state);
        if (state.highAvailability()) {
            out().println(leader.map(name -> "Leader: " + name + (running.containsKey(name) ? ""
                            : " (per ZooKeeper; it is not running: a standby takes over when its ZooKeeper session ends)"))
                    .orElse("Leader: none (no JobManager leads)"));
        }
        leader.map(state.restPorts()::get).ifPresent(port -> out().printf(
                "Web UI: http://localhost:%d, %d TaskManagers registered%n", port, cluster.registeredTaskManagers(state)));
        return 0;
    }

    @Command(name = "start-jobmanager", mixinStandardHelpOptions = true,
            description = "(Re)starts JobManager N of a running cluster with --ha, e.g. after a crash: it stands by,"
                    + " or leads if no other JobManager does.")
    int startJobManager(@Parameters(paramLabel = "N") int n) {
        FlinkCluster cluster = cluster();
        FlinkCluster.State state = cluster.state().filter(s -> !cluster.running().isEmpty())
                .orElseThrow(() -> new CommandFailedException("No cluster running from " + cluster.directory()));
        if (!state.highAvailability()) {
            throw new CommandFailedException("The cluster runs without high availability: a new JobManager would not"
                    + " know its jobs. Stop it and start it again (stageflow cluster start --ha for failover).");
        }
        cluster.startJobManager(FlinkCluster.jobManagerName(n));
        out().println("Started " + FlinkCluster.jobManagerName(n));
        return 0;
    }

    @Command(name = "start-taskmanager", mixinStandardHelpOptions = true,
            description = "(Re)starts TaskManager N of the running cluster, e.g. after a crash.")
    int startTaskManager(@Parameters(paramLabel = "N") int n) {
        FlinkCluster cluster = cluster();
        if (FlinkCluster.clientAddress(dataDir.get()).isEmpty()) {
            throw new CommandFailedException("No cluster running from " + cluster.directory());
        }
        cluster.startTaskManager(n);
        out().println("Started taskmanager-" + n);
        return 0;
    }

    private FlinkCluster cluster() {
        return new FlinkCluster(dataDir.get());
    }

    /** {@code stageflow cluster start}. */
    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Starts the JobManager (with --ha: ZooKeeper and two JobManagers) and the TaskManagers; returns"
                    + " once all are registered. Any further --key value goes into the cluster's config.yaml, e.g."
                    + " --taskmanager.numberOfTaskSlots 4.")
    static final class Start extends JobOptionsCommand {

        @ParentCommand
        ClusterCommand parent;

        @Option(names = "--rest-port", paramLabel = "PORT", defaultValue = "8081",
                description = "web UI and REST API port (with --ha: of jobmanager-1; jobmanager-2 gets a free one), 0 for"
                        + " a free one (default: ${DEFAULT-VALUE})")
        int restPort;

        @Option(names = "--rpc-port", paramLabel = "PORT", defaultValue = "6123",
                description = "JobManager RPC port, 0 for a free one; with --ha each JobManager picks a free one"
                        + " (default: ${DEFAULT-VALUE})")
        int rpcPort;

        @Option(names = "--ha",
                description = "JobManager high availability: a ZooKeeper server on a free loopback port, HA storage under"
                        + " <data-dir>/cluster/ha, a leading and a standby JobManager; jobs that were running when the"
                        + " cluster stopped are recovered")
        boolean highAvailability;

        @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "2",
                description = "number of TaskManagers (default: ${DEFAULT-VALUE})")
        int taskManagers;

        @Override
        public Integer call() {
            Map<String, String> options = jobOptions();
            FlinkCluster cluster = parent.cluster();
            FlinkCluster.State state = cluster.start(Path.of(Configurations.confDir()), restPort, rpcPort, taskManagers,
                    highAvailability, options);
            PrintWriter out = out();
            cluster.running().forEach((name, pid) -> out.printf("Started %s (pid %d)%n", name, pid));
            String leader = cluster.leader(state).orElseThrow(() -> new CommandFailedException(
                    "No JobManager leads the cluster started from " + cluster.directory()));
            out.printf("Flink cluster running%s: web UI http://localhost:%d, %d TaskManagers, logs in %s%n",
                    state.highAvailability() ? " with high availability (" + leader + " leads, ZooKeeper "
                            + state.clientAddress() + ")" : "",
                    state.restPorts().get(leader), state.taskManagers(), cluster.directory().resolve("log"));
            return 0;
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

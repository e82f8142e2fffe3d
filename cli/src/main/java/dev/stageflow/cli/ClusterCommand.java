package dev.stageflow.cli;

import dev.stageflow.servers.FlinkCluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
                    + " conf/cluster.yaml. Its files are under <data-dir>/cluster/. Submit jobs with 'stageflow submit'."
        })
final class ClusterCommand {

    @Mixin
    DataDirOption dataDir;

    @Spec
    CommandSpec spec;

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops every process of the cluster (SIGTERM, SIGKILL after 30 s).")
    int stop() {
        List<String> stopped = cluster().stop();
        out().println(stopped.isEmpty() ? "No cluster running from " + cluster().directory() : "Stopped " + stopped);
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The cluster's processes and registered TaskManagers; exit status 3 if none runs.")
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
        out().printf("Web UI: http://localhost:%d, %d TaskManagers registered%n", state.restPort(),
                cluster.registeredTaskManagers(state));
        return 0;
    }

    @Command(name = "start-taskmanager", mixinStandardHelpOptions = true,
            description = "(Re)starts TaskManager N of the running cluster, e.g. after a crash.")
    int startTaskManager(@Parameters(paramLabel = "N") int n) {
        FlinkCluster cluster = cluster();
        if (cluster.livePid(FlinkCluster.JOBMANAGER).isEmpty()) {
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
            description = "Starts the JobManager and the TaskManagers; returns once all are registered. Any further"
                    + " --key value goes into the cluster's config.yaml, e.g. --taskmanager.numberOfTaskSlots 4.")
    static final class Start extends JobOptionsCommand {

        @ParentCommand
        ClusterCommand parent;

        @Option(names = "--rest-port", paramLabel = "PORT", defaultValue = "8081",
                description = "web UI and REST API port, 0 for a free one (default: ${DEFAULT-VALUE})")
        int restPort;

        @Option(names = "--rpc-port", paramLabel = "PORT", defaultValue = "6123",
                description = "JobManager RPC port, 0 for a free one (default: ${DEFAULT-VALUE})")
        int rpcPort;

        @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "2",
                description = "number of TaskManagers (default: ${DEFAULT-VALUE})")
        int taskManagers;

        @Override
        public Integer call() {
            Map<String, String> options = jobOptions();
            FlinkCluster cluster = parent.cluster();
            FlinkCluster.State state = cluster.start(Path.of(Configurations.confDir()), restPort, rpcPort, taskManagers,
                    options);
            PrintWriter out = out();
            cluster.running().forEach((name, pid) -> out.printf("Started %s (pid %d)%n", name, pid));
            out.printf("Flink cluster running: web UI http://localhost:%d, %d TaskManagers, logs in %s%n",
                    state.restPort(), state.taskManagers(), cluster.directory().resolve("log"));
            return 0;
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

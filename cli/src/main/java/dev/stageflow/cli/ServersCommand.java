package dev.stageflow.cli;

import dev.stageflow.servers.LocalServers.Kind;
import dev.stageflow.servers.LocalServers.Server;
import dev.stageflow.servers.LocalServers;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stageflow servers}: the local servers a run may want beside it; see {@link LocalServers}. */
@Command(
        name = "servers",
        header = "Starts, stops and shows local Redis, Kafka, S3 and HDFS servers.",
        mixinStandardHelpOptions = true,
        description = {
            "The servers a run may want beside it, in the background on loopback ports until stopped: redis, kafka"
                    + " (a KRaft broker), s3 (S3Proxy, bucket '" + LocalServers.BUCKET + "') and hdfs (a mini cluster)."
                    + " Data and logs under <data-dir>/servers/<name>/. start prints the job options that point a run"
                    + " at each."
        })
final class ServersCommand {

    @Mixin
    DataDirOption dataDir;

    @Spec
    CommandSpec spec;

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts the servers named (default: all).")
    int start(
            @Parameters(arity = "0..*", paramLabel = "NAME", description = "redis, kafka, s3, hdfs") List<String> names,
            @Option(names = "--port", paramLabel = "NAME=PORT",
                    description = "a server's port, 0 for a free one (default: redis 6379, kafka 9092, s3 9000, hdfs 8020)")
                    Map<String, Integer> ports) {
        LocalServers servers = servers();
        Map<Kind, Integer> requested = new LinkedHashMap<>();
        Optional.ofNullable(ports).orElse(Map.of()).forEach((name, port) -> requested.put(kind(name), port));
        for (Kind kind : kinds(names)) {
            Server server = servers.start(kind, requested.getOrDefault(kind, kind.defaultPort));
            print(server);
        }
        return 0;
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops the servers named (default: all).")
    int stop(@Parameters(arity = "0..*", paramLabel = "NAME", description = "redis, kafka, s3, hdfs") List<String> names) {
        for (Kind kind : kinds(names)) {
            out().println(kind.id() + (servers().stop(kind) ? ": stopped" : ": not running"));
        }
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Which servers run, with their job options; exit status 3 if none does.")
    int status() {
        boolean any = false;
        for (Kind kind : Kind.values()) {
            Optional<Server> server = servers().status(kind);
            if (server.isPresent()) {
                print(server.get());
                any = true;
            } else {
                out().println(kind.id() + ": not running");
            }
        }
        return any ? 0 : 3;
    }

    private void print(Server server) {
        String options = server.jobOptions().entrySet().stream()
                .map(option -> "--" + option.getKey() + " " + option.getValue())
                .collect(Collectors.joining(" "));
        out().printf("%s: running (pid %d) on port %d%n  %s%n", server.kind().id(), server.pid(), server.port(), options);
    }

    private Set<Kind> kinds(List<String> names) {
        if (names == null || names.isEmpty()) {
            return EnumSet.allOf(Kind.class);
        }
        return names.stream().map(ServersCommand::kind).collect(Collectors.toCollection(() -> EnumSet.noneOf(Kind.class)));
    }

    private static Kind kind(String name) {
        for (Kind kind : Kind.values()) {
            if (kind.id().equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("No server '" + name + "': redis, kafka, s3 or hdfs");
    }

    private LocalServers servers() {
        return new LocalServers(dataDir.get());
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

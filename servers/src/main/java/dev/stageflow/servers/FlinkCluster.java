package dev.stageflow.servers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A standalone Flink session cluster on this machine: one JobManager (web UI and REST API) and
 * TaskManagers, each its own JVM on the Maven-resolved Flink classpath of {@code servers/flink/pom.xml}
 * (what a distribution's {@code lib/} holds; flink-dist is not on Maven Central), with the
 * checkout's {@code conf/config.yaml} and {@code conf/cluster.yaml} laid over it. Everything it
 * writes is under {@code <data-dir>/cluster/}: {@code conf/}, {@code log/} (a {@code .log} and
 * {@code .out} per process), {@code pids/}, {@code checkpoints/}, {@code savepoints/}, {@code tmp/}.
 *
 * <p>With high availability the cluster has a ZooKeeper server of its own ({@link ClusterZooKeeper},
 * data in {@code zookeeper/}), Flink's HA store in {@code ha/} ({@code conf/cluster-ha.yaml} laid over
 * the rest) and two JobManagers, {@code jobmanager-1} and {@code jobmanager-2}, each with a REST port
 * of its own: one leads, the other stands by and takes over the leader's jobs, from their latest
 * checkpoints, once ZooKeeper ends the session of a leader that died. The jobs and checkpoints in
 * ZooKeeper and {@code ha/} outlive a stop: the next start with high availability recovers the jobs
 * that were running. Without it, the one {@code jobmanager}'s jobs die with it.
 *
 * <p>The processes outlive the command that starts them; a process is ours only if its command
 * line names this cluster's directory, so a recycled pid is never signalled. Each
 * process gets the memory flags and dynamic properties Flink's own start scripts compute (the
 * calculation of {@code BashJavaUtils}), without which a TaskManager refuses to start.
 */
public final class FlinkCluster {

    /**
     * The JobManager of a cluster without high availability. The processes of a cluster are named
     * {@code jobmanager} (or {@code jobmanager-<n>} with high availability), {@code taskmanager-<n>}
     * and {@code zookeeper}.
     */
    public static final String JOBMANAGER = "jobmanager";
    public static final String ZOOKEEPER = "zookeeper";
    /** JobManagers of a cluster with high availability: a leader and a standby. */
    private static final int HA_JOBMANAGERS = 2;

    private static final String JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final Pattern TOP_LEVEL_KEY = Pattern.compile("^([A-Za-z0-9_.-]+):");
    private static final String STATE_FILE = "cluster.properties";
    /** Copied from the checkout into the cluster's conf/ at start: every later process start reads them there. */
    private static final List<String> PROCESS_FILES = List.of("java17-opens.args", "log4j-cluster.properties");
    private static final String CLUSTER_CONF = "cluster.yaml";
    private static final String HA_CONF = "cluster-ha.yaml";
    private static final String REST_PORT_PREFIX = "rest.port.";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * What {@code cluster.properties} records of a started cluster: the REST port of each JobManager
     * by name, the JobManager's RPC port (0 with high availability: each picks a free one and
     * publishes it in ZooKeeper), the number of TaskManagers and the ZooKeeper port (0: none).
     */
    public record State(SortedMap<String, Integer> restPorts, int rpcPort, int taskManagers, int zooKeeperPort) {

        public boolean highAvailability() {
            return zooKeeperPort != 0;
        }

        public List<String> jobManagers() {
            return List.copyOf(restPorts.keySet());
        }

        /** The REST port of the first JobManager, the only one without high availability. */
        public int restPort() {
            return restPorts.get(restPorts.firstKey());
        }

        /** The JobManager whose web UI is at {@code url} ({@code http://host:port}); empty for another URL. */
        public Optional<String> jobManagerAt(String url) {
            int port;
            try {
                port = URI.create(url).getPort();
            } catch (IllegalArgumentException notAUrl) {
                return Optional.empty();
            }
            return restPorts.entrySet().stream().filter(entry -> entry.getValue() == port).map(Map.Entry::getKey).findFirst();
        }

        /** Where a REST client finds the cluster's leading JobManager ({@link ClusterAddress}). */
        public String clientAddress() {
            return highAvailability()
                    ? ClusterAddress.ofZooKeeper(ClusterZooKeeper.quorum(zooKeeperPort))
                    : "localhost:" + restPort();
        }
    }

    /** How to start a process: JVM options, the server whose classpath it runs on, main class and arguments. */
    record Launch(List<String> jvmOptions, String classpath, String mainClass, List<String> arguments) {}

    private final Path dir;

    /** The cluster of {@code dataDir}, running or not. */
    public FlinkCluster(Path dataDir) {
        this.dir = dataDir.toAbsolutePath().resolve("cluster");
    }

    /** The {@link ClusterAddress} of the cluster running from {@code dataDir}, if a JobManager of it runs. */
    public static Optional<String> clientAddress(Path dataDir) {
        FlinkCluster cluster = new FlinkCluster(dataDir);
        return cluster.state()
                .filter(state -> state.jobManagers().stream().anyMatch(name -> cluster.livePid(name).isPresent()))
                .map(State::clientAddress);
    }

    public Path directory() {
        return dir;
    }

    /**
     * Starts a JobManager on {@code restPort}/{@code rpcPort} (0: a free port) and {@code
     * taskManagers} TaskManagers, configured from the checkout's {@code checkoutConf} directory with
     * {@code options} laid over it; with {@code highAvailability}, a ZooKeeper server first and two
     * JobManagers, the first on {@code restPort}, the other on a free port, and {@code rpcPort} unused. Returns once all TaskManagers are registered, or stops what it started
     * and fails.
     */
    public State start(Path checkoutConf, int restPort, int rpcPort, int taskManagers, boolean highAvailability,
            Map<String, String> options) {
        if (!running().isEmpty()) {
            throw new IllegalStateException("A cluster is already running from " + dir + ": " + running());
        }
        SortedMap<String, Integer> restPorts = new TreeMap<>();
        if (highAvailability) {
            restPorts.put(jobManagerName(1), Ports.requested(restPort));
            for (int n = 2; n <= HA_JOBMANAGERS; n++) {
                restPorts.put(jobManagerName(n), freePortExcept(restPorts.values()));
            }
        } else {
            restPorts.put(JOBMANAGER, Ports.requested(restPort));
        }
        State state = new State(restPorts, highAvailability ? 0 : Ports.requested(rpcPort), taskManagers,
                highAvailability ? zooKeeperPort(restPorts.values()) : 0);
        writeConfig(checkoutConf.toAbsolutePath(), state, options);
        writeState(state);
        try {
            if (highAvailability) {
                startProcess(ZOOKEEPER, ClusterZooKeeper.prepare(confDir(), dir.resolve("zookeeper"), state.zooKeeperPort()));
                awaitPort(ZOOKEEPER, state.zooKeeperPort());
            }
            state.jobManagers().forEach(this::startJobManager);
            for (int i = 1; i <= taskManagers; i++) {
                startTaskManager(i);
            }
            awaitTaskManagers(state);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        return state;
    }

    /** {@code jobmanager-<n>}, a JobManager of a cluster with high availability. */
    public static String jobManagerName(int n) {
        return JOBMANAGER + "-" + n;
    }

    /**
     * (Re)starts JobManager {@code name} of the running cluster on its REST port, e.g. after it was
     * killed: with high availability it joins as a standby, or leads if no other JobManager does.
     */
    public void startJobManager(String name) {
        State state = state().orElseThrow(() -> new IllegalStateException("No cluster was started from " + dir));
        Integer restPort = state.restPorts().get(name);
        if (restPort == null) {
            throw new IllegalStateException("The cluster in " + dir + " has no " + name + "; its JobManagers are "
                    + state.jobManagers());
        }
        if (livePid(name).isPresent()) {
            throw new IllegalStateException(name + " is already running");
        }
        // Each JobManager its own REST port and web directories: the REST server deletes its upload
        // directory when it stops, which must not be the other JobManager's.
        Path tmp = dir.resolve("tmp").resolve(name);
        startProcess(name, flinkProcess(JOBMANAGER_MAIN, jobManagerParameters(), List.of(
                "-D", RestOptions.PORT.key() + "=" + restPort,
                "-D", WebOptions.TMP_DIR.key() + "=" + tmp.resolve("web"),
                "-D", WebOptions.UPLOAD_DIR.key() + "=" + tmp.resolve("web-upload"))));
    }

    /** (Re)starts TaskManager {@code n} of the running cluster, e.g. after it was killed. */
    public void startTaskManager(int n) {
        String name = "taskmanager-" + n;
        if (livePid(name).isPresent()) {
            throw new IllegalStateException(name + " is already running");
        }
        // A readable id in the web UI and the REST API, new for each start.
        startProcess(name, flinkProcess(TASKMANAGER_MAIN, taskManagerParameters(),
                List.of("-D", "taskmanager.resource-id=" + name + "-" + System.currentTimeMillis())));
    }

    /** Kills process {@code name} with SIGKILL, as a crash would; returns its pid. */
    public long kill(String name) {
        ProcessHandle process = livePid(name).flatMap(ProcessHandle::of)
                .orElseThrow(() -> new IllegalStateException(name + " is not running"));
        process.destroyForcibly();
        process.onExit().orTimeout(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        return process.pid();
    }

    /**
     * Stops every process of the cluster, TaskManagers first and ZooKeeper last (a JobManager that
     * stops still talks to it): SIGTERM, SIGKILL after 30 s. Returns their names.
     */
    public List<String> stop() {
        List<String> stopped = new ArrayList<>();
        List<String> names = new ArrayList<>(processNames());
        names.sort(Comparator.comparingInt(FlinkCluster::stopOrder));
        for (String name : names) {
            livePid(name).flatMap(ProcessHandle::of).ifPresent(process -> {
                process.destroy();
                try {
                    process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception stillRunning) {
                    process.destroyForcibly();
                }
                stopped.add(name);
            });
            pidFile(name).toFile().delete();
        }
        return stopped;
    }

    private static int stopOrder(String name) {
        return name.startsWith("taskmanager") ? 0 : name.equals(ZOOKEEPER) ? 2 : 1;
    }

    /** The running processes by name, with their pids. */
    public Map<String, Long> running() {
        Map<String, Long> running = new LinkedHashMap<>();
        for (String name : processNames()) {
            livePid(name).ifPresent(pid -> running.put(name, pid));
        }
        return running;
    }

    /** The process names that have pid files, in order: JobManagers, TaskManagers, ZooKeeper. */
    public List<String> processNames() {
        Set<String> names = new LinkedHashSet<>();
        Path pids = dir.resolve("pids");
        if (Files.isDirectory(pids)) {
            try (Stream<Path> files = Files.list(pids)) {
                files.map(file -> file.getFileName().toString())
                        .filter(file -> file.endsWith(".pid"))
                        .map(file -> file.substring(0, file.length() - ".pid".length()))
                        .sorted()
                        .forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + pids, e);
            }
        }
        return List.copyOf(names);
    }

    public Optional<State> state() {
        return StateFiles.read(dir.resolve(STATE_FILE)).map(properties -> {
            SortedMap<String, Integer> restPorts = new TreeMap<>();
            properties.stringPropertyNames().stream().filter(key -> key.startsWith(REST_PORT_PREFIX)).forEach(key ->
                    restPorts.put(key.substring(REST_PORT_PREFIX.length()), Integer.parseInt(properties.getProperty(key))));
            return new State(restPorts,
                    Integer.parseInt(properties.getProperty("rpc.port")),
                    Integer.parseInt(properties.getProperty("taskmanagers")),
                    Integer.parseInt(properties.getProperty("zookeeper.port", "0")));
        });
    }

    private void writeState(State state) {
        Properties properties = new Properties();
        state.restPorts().forEach((name, port) -> properties.setProperty(REST_PORT_PREFIX + name, Integer.toString(port)));
        properties.setProperty("rpc.port", Integer.toString(state.rpcPort()));
        properties.setProperty("taskmanagers", Integer.toString(state.taskManagers()));
        properties.setProperty("zookeeper.port", Integer.toString(state.zooKeeperPort()));
        StateFiles.write(dir.resolve(STATE_FILE), properties, "started by stageflow cluster start");
    }

    /** Registered TaskManagers, as the REST API (of the leading JobManager) reports them. */
    public int registeredTaskManagers(State state) {
        try (RestClusterClient<StandaloneClusterId> client = client(state)) {
            return registeredTaskManagers(client);
        }
    }

    private static int registeredTaskManagers(RestClusterClient<StandaloneClusterId> client) {
        try {
            return client.getClusterOverview().get(5, TimeUnit.SECONDS).getNumTaskManagersConnected();
        } catch (Exception notAnswering) {
            return 0;
        }
    }

    /**
     * The JobManager that leads, as ZooKeeper names it (with high availability; a leader that died
     * keeps its name there until its session ends), else the one JobManager; empty if ZooKeeper
     * names none within 10 s, or an address that is no JobManager of this cluster.
     */
    public Optional<String> leader(State state) {
        if (!state.highAvailability()) {
            return Optional.of(JOBMANAGER);
        }
        Configuration conf = ClusterAddress.clientConfiguration(state.clientAddress());
        conf.set(RestOptions.AWAIT_LEADER_TIMEOUT, Duration.ofSeconds(10));
        try (RestClusterClient<StandaloneClusterId> client = client(conf)) {
            return state.jobManagerAt(client.getWebInterfaceURL());
        }
    }

    /** Whether JobManager {@code name} runs and its REST API accepts connections, as a standby's does too. */
    public boolean answers(State state, String name) {
        return livePid(name).isPresent() && accepts(state.restPorts().get(name));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static RestClusterClient<StandaloneClusterId> client(State state) {
        return client(ClusterAddress.clientConfiguration(state.clientAddress()));
    }

    private static RestClusterClient<StandaloneClusterId> client(Configuration conf) {
        try {
            return new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create a REST client for the cluster: " + e.getMessage(), e);
        }
    }

    /** The pid of process {@code name} if it is alive and one of this cluster's JVMs (a recycled pid is not). */
    public Optional<Long> livePid(String name) {
        Path file = pidFile(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(file).trim());
            String marker = marker();
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(process -> process.info().commandLine().map(line -> line.contains(marker)).orElse(false))
                    .map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void awaitTaskManagers(State state) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        int registered = 0;
        try (RestClusterClient<StandaloneClusterId> client = client(state)) {
            while (System.nanoTime() < deadline) {
                registered = registeredTaskManagers(client);
                if (registered == state.taskManagers()) {
                    return;
                }
                List<String> servers = new ArrayList<>(state.jobManagers());
                if (state.highAvailability()) {
                    servers.add(ZOOKEEPER);
                }
                servers.forEach(this::requireAlive);
                sleep(Duration.ofSeconds(1));
            }
        }
        throw new IllegalStateException("Only " + registered + " of " + state.taskManagers()
                + " TaskManagers registered within " + STARTUP_TIMEOUT + "; see " + logDir());
    }

    private void requireAlive(String name) {
        if (livePid(name).isEmpty()) {
            throw new IllegalStateException(name + " died; see " + logDir().resolve(name + ".log") + " and .out");
        }
    }

    /** Waits until process {@code name} accepts connections on loopback {@code port}. */
    private void awaitPort(String name, int port) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (accepts(port)) {
                return;
            }
            requireAlive(name);
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException(name + " did not accept connections on port " + port + " within "
                + STARTUP_TIMEOUT + "; see " + logDir().resolve(name + ".out"));
    }

    /**
     * The ZooKeeper port of the cluster's last start if it is free (runs recorded it in their
     * address), else a free one; never one of {@code taken}.
     */
    private int zooKeeperPort(Collection<Integer> taken) {
        return state().map(State::zooKeeperPort)
                .filter(port -> port != 0 && !taken.contains(port) && Ports.isFree(port))
                .orElseGet(() -> freePortExcept(taken));
    }

    private static int freePortExcept(Collection<Integer> taken) {
        int port = Ports.free();
        while (taken.contains(port)) {
            port = Ports.free();
        }
        return port;
    }

    /**
     * The cluster's config.yaml: the checkout's config.yaml, cluster.yaml and (with high
     * availability) cluster-ha.yaml, then the ports, the directories and {@code options}; each layer
     * without the keys that a later one sets.
     */
    private void writeConfig(Path checkoutConf, State state, Map<String, String> options) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("rest.port", Integer.toString(state.restPort()));
        overrides.put("rest.address", "localhost");
        overrides.put("rest.bind-address", "localhost");
        overrides.put("jobmanager.rpc.address", "localhost");
        if (state.highAvailability()) {
            overrides.put(HighAvailabilityOptions.HA_MODE.key(), "zookeeper");
            overrides.put(HighAvailabilityOptions.HA_ZOOKEEPER_QUORUM.key(), ClusterZooKeeper.quorum(state.zooKeeperPort()));
            overrides.put(HighAvailabilityOptions.HA_STORAGE_PATH.key(), dir.resolve("ha").toUri().toString());
        } else {
            overrides.put("jobmanager.rpc.port", Integer.toString(state.rpcPort()));
        }
        overrides.put("jobmanager.bind-host", "localhost");
        overrides.put("taskmanager.bind-host", "localhost");
        overrides.put("taskmanager.host", "localhost");
        overrides.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        overrides.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        overrides.put("io.tmp.dirs", dir.resolve("tmp").toString());
        overrides.put("blob.storage.directory", dir.resolve("tmp/blobs").toString());
        // RocksDB's own LOG files (one per state instance) would otherwise land next to Flink's logs.
        overrides.put("state.backend.rocksdb.log.dir", dir.resolve("tmp/rocksdb-logs").toString());
        overrides.putAll(options);
        try {
            List<List<String>> layers = new ArrayList<>();
            layers.add(Files.readAllLines(checkoutConf.resolve(GlobalConfiguration.FLINK_CONF_FILENAME), StandardCharsets.UTF_8));
            layers.add(Files.readAllLines(checkoutConf.resolve(CLUSTER_CONF), StandardCharsets.UTF_8));
            if (state.highAvailability()) {
                layers.add(Files.readAllLines(checkoutConf.resolve(HA_CONF), StandardCharsets.UTF_8));
            }
            List<String> written = new ArrayList<>(List.of("# --- written by stageflow cluster start ---"));
            overrides.forEach((key, value) -> written.add(key + ": " + value));
            layers.add(written);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Set<String> laterKeys = new LinkedHashSet<>();
                layers.subList(i + 1, layers.size()).forEach(layer -> layer.forEach(line -> topLevelKey(line).ifPresent(laterKeys::add)));
                layers.get(i).stream().filter(line -> topLevelKey(line).filter(laterKeys::contains).isEmpty()).forEach(lines::add);
                lines.add("");
            }
            Files.createDirectories(confDir());
            for (String sub : List.of("checkpoints", "savepoints", "tmp", "log", "pids")) {
                Files.createDirectories(dir.resolve(sub));
            }
            Files.write(confDir().resolve(GlobalConfiguration.FLINK_CONF_FILENAME), lines, StandardCharsets.UTF_8);
            for (String file : PROCESS_FILES) {
                Files.copy(checkoutConf.resolve(file), confDir().resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the cluster's configuration in " + confDir(), e);
        }
    }

    private static Optional<String> topLevelKey(String line) {
        Matcher matcher = TOP_LEVEL_KEY.matcher(line);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** The JobManager's JVM flags and dynamic properties, as {@code BashJavaUtils GET_JM_RESOURCE_PARAMS} computes them. */
    private List<String> jobManagerParameters() {
        Configuration conf = GlobalConfiguration.loadConfiguration(confDir().toString());
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        return List.of(JobManagerProcessUtils.generateJvmParametersStr(spec, conf),
                JobManagerProcessUtils.generateDynamicConfigsStr(spec));
    }

    /** A TaskManager's JVM flags and dynamic properties, as {@code BashJavaUtils GET_TM_RESOURCE_PARAMS} computes them. */
    private List<String> taskManagerParameters() {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(
                GlobalConfiguration.loadConfiguration(confDir().toString()));
        return List.of(ProcessMemoryUtils.generateJvmParametersStr(spec), TaskExecutorProcessUtils.generateDynamicConfigsStr(spec));
    }

    /** A Flink process: its main class on the cluster's classpath, with memory flags and dynamic properties. */
    private Launch flinkProcess(String mainClass, List<String> memoryParameters, List<String> properties) {
        List<String> jvmOptions = new ArrayList<>(words(memoryParameters.get(0)));
        jvmOptions.add("@" + confDir().resolve(PROCESS_FILES.get(0)));
        jvmOptions.add("-Dai.djl.offline=true");
        jvmOptions.add("-Daws.java.v1.disableDeprecationAnnouncement=true");
        jvmOptions.add("-Dlog4j.configurationFile=" + confDir().resolve(PROCESS_FILES.get(1)));
        List<String> arguments = new ArrayList<>(List.of("--configDir", confDir().toString()));
        arguments.addAll(words(memoryParameters.get(1)));
        arguments.addAll(properties);
        return new Launch(jvmOptions, "flink", mainClass, arguments);
    }

    /**
     * Starts process {@code name} in the background, detached from this JVM, its pid in {@code
     * pids/<name>.pid}: its output goes to {@code log/<name>.out}, a Flink process's log to {@code
     * log/<name>.log}.
     */
    private void startProcess(String name, Launch launch) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(marker());
        command.addAll(launch.jvmOptions());
        command.add("-Dlog.file=" + logDir().resolve(name + ".log"));
        command.addAll(List.of("-cp", ChildJvm.classpath(launch.classpath()), launch.mainClass()));
        command.addAll(launch.arguments());
        try {
            Path out = logDir().resolve(name + ".out");
            Files.writeString(out, "=== starting " + name + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("FLINK_CONF_DIR", confDir().toString());
            Process process = builder.start();
            Files.writeString(pidFile(name), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name + " of the cluster in " + dir, e);
        }
    }

    private static List<String> words(String parameters) {
        return Stream.of(parameters.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }

    /**
     * The first argument of every process of this cluster, which identifies it: the JDK may read only
     * the beginning of a long command line, so it comes before the classpath.
     */
    private String marker() {
        return "-Dstageflow.cluster=" + dir;
    }

    private Path confDir() {
        return dir.resolve("conf");
    }

    private Path logDir() {
        return dir.resolve("log");
    }

    private Path pidFile(String name) {
        return dir.resolve("pids").resolve(name + ".pid");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the cluster", e);
        }
    }
}

package dev.stageflow.servers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
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
 * <p>The processes outlive the command that starts them; a process is ours only if its command
 * line names this cluster's directory, so a recycled pid is never signalled. Each
 * process gets the memory flags and dynamic properties Flink's own start scripts compute (the
 * calculation of {@code BashJavaUtils}), without which a TaskManager refuses to start.
 */
public final class FlinkCluster {

    /** One process of the cluster: {@code jobmanager} or {@code taskmanager-<n>}. */
    public static final String JOBMANAGER = "jobmanager";

    private static final String JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final Pattern TOP_LEVEL_KEY = Pattern.compile("^([A-Za-z0-9_.-]+):");
    private static final String STATE_FILE = "cluster.properties";
    /** Copied from the checkout into the cluster's conf/ at start: every later process start reads them there. */
    private static final List<String> PROCESS_FILES = List.of("java17-opens.args", "log4j-cluster.properties");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** What {@code cluster.properties} records of a started cluster. */
    public record State(int restPort, int rpcPort, int taskManagers) {}

    private final Path dir;

    /** The cluster of {@code dataDir}, running or not. */
    public FlinkCluster(Path dataDir) {
        this.dir = dataDir.toAbsolutePath().resolve("cluster");
    }

    /** The REST address of the cluster running from {@code dataDir}, if one is. */
    public static Optional<String> restAddress(Path dataDir) {
        FlinkCluster cluster = new FlinkCluster(dataDir);
        return cluster.livePid(JOBMANAGER).isPresent()
                ? cluster.state().map(state -> "localhost:" + state.restPort())
                : Optional.empty();
    }

    public Path directory() {
        return dir;
    }

    /**
     * Starts a JobManager on {@code restPort}/{@code rpcPort} (0: a free port) and {@code
     * taskManagers} TaskManagers, configured from the checkout's {@code checkoutConf} directory with
     * {@code options} laid over it; returns once all TaskManagers are registered, or stops what it
     * started and fails.
     */
    public State start(Path checkoutConf, int restPort, int rpcPort, int taskManagers, Map<String, String> options) {
        if (!running().isEmpty()) {
            throw new IllegalStateException("A cluster is already running from " + dir + ": " + running());
        }
        State state = new State(port(restPort), port(rpcPort), taskManagers);
        writeConfig(checkoutConf.toAbsolutePath(), state, options);
        writeState(state);
        startProcess(JOBMANAGER, JOBMANAGER_MAIN, jobManagerParameters(), List.of());
        for (int i = 1; i <= taskManagers; i++) {
            startTaskManager(i);
        }
        try {
            awaitTaskManagers(state);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        return state;
    }

    /** (Re)starts TaskManager {@code n} of the running cluster, e.g. after it was killed. */
    public void startTaskManager(int n) {
        String name = "taskmanager-" + n;
        if (livePid(name).isPresent()) {
            throw new IllegalStateException(name + " is already running");
        }
        // A readable id in the web UI and the REST API, new for each start.
        startProcess(name, TASKMANAGER_MAIN, taskManagerParameters(),
                List.of("-D", "taskmanager.resource-id=" + name + "-" + System.currentTimeMillis()));
    }

    /** Kills process {@code name} with SIGKILL, as a crash would; returns its pid. */
    public long kill(String name) {
        ProcessHandle process = livePid(name).flatMap(ProcessHandle::of)
                .orElseThrow(() -> new IllegalStateException(name + " is not running"));
        process.destroyForcibly();
        process.onExit().orTimeout(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        return process.pid();
    }

    /** Stops every process of the cluster (TaskManagers first): SIGTERM, SIGKILL after 30 s. Returns their names. */
    public List<String> stop() {
        List<String> stopped = new ArrayList<>();
        List<String> names = new ArrayList<>(processNames());
        names.remove(JOBMANAGER);
        names.add(JOBMANAGER);
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

    /** The running processes by name, with their pids. */
    public Map<String, Long> running() {
        Map<String, Long> running = new LinkedHashMap<>();
        for (String name : processNames()) {
            livePid(name).ifPresent(pid -> running.put(name, pid));
        }
        return running;
    }

    /** The process names that have pid files, the JobManager first. */
    public List<String> processNames() {
        Set<String> names = new LinkedHashSet<>();
        Path pids = dir.resolve("pids");
        if (Files.isDirectory(pids)) {
            names.add(JOBMANAGER);
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
        return StateFiles.read(dir.resolve(STATE_FILE)).map(properties -> new State(
                Integer.parseInt(properties.getProperty("rest.port")),
                Integer.parseInt(properties.getProperty("rpc.port")),
                Integer.parseInt(properties.getProperty("taskmanagers"))));
    }

    private void writeState(State state) {
        Properties properties = new Properties();
        properties.setProperty("rest.port", Integer.toString(state.restPort()));
        properties.setProperty("rpc.port", Integer.toString(state.rpcPort()));
        properties.setProperty("taskmanagers", Integer.toString(state.taskManagers()));
        StateFiles.write(dir.resolve(STATE_FILE), properties, "started by stageflow cluster start");
    }

    /** Registered TaskManagers, as the REST API reports them. */
    public int registeredTaskManagers(State state) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, "localhost");
        conf.set(RestOptions.PORT, state.restPort());
        try (RestClusterClient<StandaloneClusterId> client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
            return client.getClusterOverview().get(5, TimeUnit.SECONDS).getNumTaskManagersConnected();
        } catch (Exception notAnswering) {
            return 0;
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
        while (System.nanoTime() < deadline) {
            registered = registeredTaskManagers(state);
            if (registered == state.taskManagers()) {
                return;
            }
            if (livePid(JOBMANAGER).isEmpty()) {
                throw new IllegalStateException("The JobManager died; see " + logDir().resolve(JOBMANAGER + ".log")
                        + " and .out");
            }
            sleep(Duration.ofSeconds(1));
        }
        throw new IllegalStateException("Only " + registered + " of " + state.taskManagers()
                + " TaskManagers registered within " + STARTUP_TIMEOUT + "; see " + logDir());
    }

    /**
     * The cluster's config.yaml: the checkout's config.yaml without the keys that cluster.yaml, the
     * ports, the directories and {@code options} set, followed by those.
     */
    private void writeConfig(Path checkoutConf, State state, Map<String, String> options) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("rest.port", Integer.toString(state.restPort()));
        overrides.put("rest.address", "localhost");
        overrides.put("rest.bind-address", "localhost");
        overrides.put("jobmanager.rpc.address", "localhost");
        overrides.put("jobmanager.rpc.port", Integer.toString(state.rpcPort()));
        overrides.put("jobmanager.bind-host", "localhost");
        overrides.put("taskmanager.bind-host", "localhost");
        overrides.put("taskmanager.host", "localhost");
        overrides.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        overrides.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        overrides.put("io.tmp.dirs", dir.resolve("tmp").toString());
        overrides.put("blob.storage.directory", dir.resolve("tmp/blobs").toString());
        overrides.put("web.upload.dir", dir.resolve("tmp/web-upload").toString());
        overrides.put("web.tmpdir", dir.resolve("tmp/web").toString());
        // RocksDB's own LOG files (one per state instance) would otherwise land next to Flink's logs.
        overrides.put("state.backend.rocksdb.log.dir", dir.resolve("tmp/rocksdb-logs").toString());
        overrides.putAll(options);
        try {
            List<String> clusterLines = Files.readAllLines(checkoutConf.resolve("cluster.yaml"), StandardCharsets.UTF_8);
            Set<String> laidOver = new LinkedHashSet<>(overrides.keySet());
            clusterLines.forEach(line -> topLevelKey(line).ifPresent(laidOver::add));
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(checkoutConf.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))) {
                if (topLevelKey(line).filter(laidOver::contains).isEmpty()) {
                    lines.add(line);
                }
            }
            lines.add("");
            lines.addAll(clusterLines);
            lines.add("");
            lines.add("# --- written by stageflow cluster start ---");
            overrides.forEach((key, value) -> lines.add(key + ": " + value));
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

    /** Starts one process in the background, detached from this JVM: its output goes to {@code log/<name>.out}. */
    private void startProcess(String name, String mainClass, List<String> memoryParameters, List<String> properties) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(marker());
        command.addAll(words(memoryParameters.get(0)));
        command.add("@" + confDir().resolve(PROCESS_FILES.get(0)));
        command.add("-Dai.djl.offline=true");
        command.add("-Daws.java.v1.disableDeprecationAnnouncement=true");
        command.add("-Dlog.file=" + logDir().resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir().resolve(PROCESS_FILES.get(1)));
        command.addAll(List.of("-cp", ChildJvm.classpath("flink"), mainClass, "--configDir", confDir().toString()));
        command.addAll(words(memoryParameters.get(1)));
        command.addAll(properties);
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

    private static int port(int requested) {
        try (ServerSocket socket = new ServerSocket(requested, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException inUse) {
            throw new IllegalStateException("Port " + requested + " is in use; choose another", inUse);
        }
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

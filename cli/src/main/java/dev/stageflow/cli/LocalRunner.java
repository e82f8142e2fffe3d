package dev.stageflow.cli;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code scripts/run-local.sh}: runs the job on a Flink MiniCluster in this JVM with the web UI,
 * a file store under {@code data/store}, an embedded Redis and checkpoints under the run's
 * directory, shows a progress bar and ends with a summary of what was committed.
 */
public final class LocalRunner {

    private static final String USAGE = String.join("\n",
            "Usage: scripts/run-local.sh [--prompts PATH] [--follow] [--out DIR] [--resume] [--data-dir DIR]",
            "                            [--key value ...]",
            "  --prompts PATH   JSON-lines file or directory of them (default: examples/prompts.jsonl)",
            "  --follow         keep watching the directory for new files (stop with Ctrl-C)",
            "  --out DIR        where results/ and dead-letters/ go (default: data/runs/<run>/out)",
            "  --resume         continue the newest unfinished run from its latest checkpoint",
            "  --data-dir DIR   root of store, runs and Redis data (default: data)",
            "  --key value      any job or Flink option, e.g. --generator.batch.size 8 --rest.port 8082",
            "                   Kafka input instead of files (runs until Ctrl-C; --resume continues):",
            "                   --source.kafka.bootstrap-servers localhost:9092 --source.kafka.topics prompts");

    /** How run.json names Kafka input: this and the topics. */
    private static final String KAFKA_INPUT = "kafka:";

    private LocalRunner() {}

    public static void main(String[] args) throws Exception {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (arguments.help) {
            System.out.println(USAGE);
            return;
        }
        System.exit(run(arguments, System.out));
    }

    static int run(Arguments arguments, PrintStream out) throws Exception {
        Path dataDir = arguments.dataDir.toAbsolutePath();
        String topics = arguments.options.get(KafkaOptions.SOURCE_TOPICS.key());
        RunDirectory run = arguments.resume ? resumable(dataDir) : RunDirectory.create(dataDir.resolve("runs"),
                topics != null ? KAFKA_INPUT + topics : asUri(arguments.prompts), arguments.outputDir, arguments.follow,
                arguments.options);
        System.setProperty("stageflow.log.file", run.logFile().toString());

        Map<String, String> options = new LinkedHashMap<>(run.options());
        options.putAll(arguments.options);
        Configuration conf = GlobalConfiguration.loadConfiguration(System.getProperty("stageflow.conf.dir", "conf"));
        options.forEach(conf::setString);
        if (!run.prompts().startsWith(KAFKA_INPUT)) {
            conf.set(SourceOptions.PROMPTS, run.prompts());
            conf.set(SourceOptions.FOLLOW, arguments.follow || run.follow() || conf.get(SourceOptions.FOLLOW));
        }
        conf.set(SinkOptions.OUTPUT_DIR, run.outputDir().toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, run.checkpointDir().toUri().toString());
        conf.set(RestOptions.PORT, restPort(conf.get(RestOptions.PORT), out));
        if (!conf.contains(StoreOptions.URI)) {
            conf.set(StoreOptions.URI, "file://" + dataDir.resolve("store"));
        }
        if (arguments.resume) {
            Path checkpoint = run.latestCheckpoint().orElseThrow();
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
            out.println("Resuming run " + run.runId() + " from " + checkpoint);
        }

        // A MiniCluster does not initialize Flink's file systems itself: this passes the run's s3.*
        // options to the s3:// file system (a plugin in $FLINK_PLUGINS_DIR) of store, checkpoints and sinks.
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));

        try (RedisServer redis = conf.contains(CacheOptions.REDIS_URI) ? null : RedisServer.start(dataDir.resolve("redis"), true)) {
            if (redis != null) {
                conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
                out.printf("Redis: %s (redis-cli -p %d)%n", redis.uri(), redis.port());
                Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "stop-redis"));
            }
            return execute(conf, run, arguments.resume, out);
        }
    }

    private static int execute(Configuration conf, RunDirectory run, boolean resume, PrintStream out)
            throws Exception {
        URI prompts = URI.create(run.prompts());
        boolean follow = conf.get(SourceOptions.FOLLOW);
        boolean stopWhenDone = !follow && !resume && "file".equals(prompts.getScheme());
        long total = stopWhenDone ? countPrompts(Path.of(prompts)) : 0;
        if (stopWhenDone) {
            // A bounded source would end the input, and at the end of input every model stage
            // finishes all its queued prompts before a checkpoint can pass: a long run would have
            // no checkpoint to resume from. So the source keeps watching, and the run stops itself
            // with a savepoint once every line is accounted for. (A resumed run cannot count what
            // its first attempt did; it reads the rest of its files as a bounded source.)
            conf.set(SourceOptions.FOLLOW, true);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        StageflowJob.build(env, conf);
        long start = System.nanoTime();
        JobClient client = env.executeAsync(StageflowJob.JOB_NAME);
        run.markStatus(RunDirectory.RUNNING, client.getJobID().toString());
        int restPort = conf.get(RestOptions.PORT);
        if (run.prompts().startsWith(KAFKA_INPUT)) {
            out.printf("Run %s: reading Kafka topics %s at %s until Ctrl-C (continue with --resume)%n", run.runId(),
                    conf.get(KafkaOptions.SOURCE_TOPICS), conf.get(KafkaOptions.SOURCE_BOOTSTRAP_SERVERS));
        } else {
            out.printf("Run %s: %s from %s%n", run.runId(),
                    follow ? "following" : resume ? "the rest of the prompt lines" : total + " prompt lines", run.prompts());
        }
        out.printf("Flink web UI: http://localhost:%d/#/job/running/%s%n", restPort, client.getJobID());
        try {
            awaitCompletion(client, new ProgressReporter(restPort, client.getJobID().toString(), total, out),
                    stopWhenDone ? total : Long.MAX_VALUE, run);
        } catch (Exception e) {
            run.markStatus(RunDirectory.FAILED, null);
            out.println("The job failed: " + rootCause(e));
            out.println("Details in " + run.logFile() + "; continue with: scripts/run-local.sh --resume");
            return 1;
        }
        run.markStatus(RunDirectory.FINISHED, null);
        double seconds = (System.nanoTime() - start) / 1e9;
        org.apache.flink.core.fs.Path outputDir = new org.apache.flink.core.fs.Path(run.outputDir().toUri());
        new RunSummary(CommittedOutput.results(outputDir), CommittedOutput.deadLetters(outputDir), seconds)
                .print(out, run.outputDir(), URI.create(conf.get(StoreOptions.URI)), run.logFile());
        return 0;
    }

    /** Shows progress until the job ends; stops it with a savepoint once {@code total} lines are done. */
    private static void awaitCompletion(JobClient client, ProgressReporter progress, long total, RunDirectory run)
            throws Exception {
        CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
        CompletableFuture<String> savepoint = null;
        while (!result.isDone()) {
            Optional<Map<String, Long>> counts = progress.poll();
            if (savepoint == null && counts.isPresent() && ProgressReporter.accountedFor(counts.get()) >= total) {
                savepoint = client.stopWithSavepoint(
                        false, run.savepointDir().toUri().toString(), SavepointFormatType.CANONICAL);
            }
            Thread.sleep(500);
        }
        progress.finish();
        result.get();
    }

    /** The configured web UI port if it is free, else (or for 0) a free one. */
    private static int restPort(int configured, PrintStream out) throws IOException {
        if (configured > 0) {
            try (ServerSocket probe = new ServerSocket(configured, 1, InetAddress.getLoopbackAddress())) {
                return configured;
            } catch (IOException inUse) {
                out.println("Port " + configured + " is in use; the web UI takes a free port instead.");
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static RunDirectory resumable(Path dataDir) {
        return RunDirectory.latestResumable(dataDir.resolve("runs")).orElseThrow(() -> new IllegalStateException(
                "Nothing to resume: no unfinished run with a completed checkpoint under " + dataDir.resolve("runs")));
    }

    /** Non-blank lines in the file, or in the visible files below the directory (as FileSource reads them). */
    static long countPrompts(Path prompts) throws IOException {
        if (Files.isRegularFile(prompts)) {
            return nonBlankLines(prompts);
        }
        try (Stream<Path> files = Files.walk(prompts)) {
            long count = 0;
            for (Path file : files.filter(Files::isRegularFile).filter(f -> isVisible(prompts.relativize(f))).toList()) {
                count += nonBlankLines(file);
            }
            return count;
        }
    }

    private static boolean isVisible(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".") || part.toString().startsWith("_")) {
                return false;
            }
        }
        return true;
    }

    private static long nonBlankLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    private static String asUri(String pathOrUri) {
        return pathOrUri.contains("://") ? pathOrUri : Path.of(pathOrUri).toAbsolutePath().normalize().toUri().toString();
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    /** The runner's own flags; everything else is a {@code --key value} option. */
    static final class Arguments {
        String prompts = "examples/prompts.jsonl";
        String outputDir;
        Path dataDir = Path.of("data");
        boolean follow;
        boolean resume;
        boolean help;
        final Map<String, String> options = new LinkedHashMap<>();

        static Arguments parse(String[] args) {
            Arguments parsed = new Arguments();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--follow": parsed.follow = true; break;
                    case "--resume": parsed.resume = true; break;
                    case "--help": case "-h": parsed.help = true; break;
                    case "--prompts": parsed.prompts = value(args, ++i, arg); break;
                    case "--out": parsed.outputDir = Path.of(value(args, ++i, arg)).toAbsolutePath().toString(); break;
                    case "--data-dir": parsed.dataDir = Path.of(value(args, ++i, arg)); break;
                    default:
                        if (!arg.startsWith("--") || arg.length() < 3) {
                            throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
                        }
                        parsed.options.put(arg.substring(2), value(args, ++i, arg));
                }
            }
            return parsed;
        }

        private static String value(String[] args, int index, String flag) {
            if (index >= args.length) {
                throw new IllegalArgumentException("Option " + flag + " needs a value");
            }
            return args[index];
        }
    }
}

package dev.stageflow.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.Secrets;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * One run of the job, local or on a cluster, as {@code <data-dir>/runs/<run-id>/run.json}: what was
 * asked (input, output, options), where it runs, and every job that carried it (a resumed run has
 * several), so {@code resume}, {@code status}, {@code stop}, {@code inspect} and {@code report}
 * find it again. The run's directory also holds a local run's checkpoints and log and, unless
 * {@code --out} said otherwise, its outputs.
 *
 * <p>Secrets are never written: an option that is a secret ({@link Secrets}: {@code *password},
 * {@code *secret*}, a Kafka client property that Kafka types as a password, ...) is recorded as
 * hidden, and a resume must be given it again.
 */
public final class RunRecord {

    public static final String RUNS = "runs";
    public static final String FILE = "run.json";

    /** A run stopped with a savepoint before it was done: it resumes from that savepoint. */
    public static final String STOPPED = "STOPPED";

    /** How {@link #prompts} starts for a run that reads Kafka topics. */
    private static final String KAFKA_INPUT = "kafka:";

    /** Where the run executes. */
    public enum Target {
        LOCAL,
        CLUSTER
    }

    /** One job of the run. */
    public static final class Job {
        public String jobId;
        public String startedAt;
        /** The checkpoint or savepoint it was restored from, or null. */
        public String restoredFrom;

        public Job() {}

        Job(String jobId, String restoredFrom) {
            this.jobId = jobId;
            this.startedAt = Instant.now().toString();
            this.restoredFrom = restoredFrom;
        }
    }

    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    public String runId;
    public Target target;
    /** The REST address ({@code host:port}) of the cluster, or of a local run's web UI. */
    public String restAddress;
    /** The prompts' URI, or {@code kafka:<topics>}. */
    public String prompts;
    public String outputDir;
    public String checkpointDir;
    public boolean follow;
    /** A local run's store layout. */
    public StoreLayout layout = StoreLayout.LOCAL;
    public String status;
    public Map<String, String> options = new LinkedHashMap<>();
    public List<Job> jobs = new ArrayList<>();
    public List<String> savepoints = new ArrayList<>();

    @JsonIgnore
    private Path dir;

    public RunRecord() {}

    /** A new run under {@code dataDir/runs/}, with a fresh id (the start time) and its directory. */
    static RunRecord create(Path dataDir, Target target, Map<String, String> options) {
        Path runs = dataDir.toAbsolutePath().resolve(RUNS);
        String id = LocalDateTime.now().format(RUN_ID);
        Path dir = runs.resolve(id);
        for (int i = 2; Files.exists(dir); i++) {
            dir = runs.resolve(id + "-" + i);
        }
        RunRecord run = new RunRecord();
        run.dir = dir;
        run.runId = dir.getFileName().toString();
        run.target = target;
        run.status = JobStatus.CREATED.name();
        options.forEach((key, value) ->
                run.options.put(key, Secrets.isSecret(key) ? GlobalConfiguration.HIDDEN_CONTENT : value));
        run.outputDir = dir.resolve("out").toUri().toString();
        run.checkpointDir = dir.resolve("checkpoints").toUri().toString();
        return run;
    }

    /** The run {@code runId}, or the newest run that {@code filter} accepts. */
    static RunRecord find(Path dataDir, Optional<String> runId, Predicate<RunRecord> filter, String what) {
        Path runs = dataDir.toAbsolutePath().resolve(RUNS);
        if (runId.isPresent()) {
            Path file = runs.resolve(runId.get()).resolve(FILE);
            if (!Files.isRegularFile(file)) {
                throw new CommandFailedException("No run " + runId.get() + " in " + runs);
            }
            return load(file);
        }
        return all(runs).filter(filter).findFirst()
                .orElseThrow(() -> new CommandFailedException("No " + what + " in " + runs));
    }

    /** Every run under {@code runs}, newest first. */
    private static Stream<RunRecord> all(Path runs) {
        if (!Files.isDirectory(runs)) {
            return Stream.empty();
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            return dirs.map(dir -> dir.resolve(FILE))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path file) -> file.getParent().getFileName().toString()).reversed())
                    .map(RunRecord::load)
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + runs, e);
        }
    }

    private static RunRecord load(Path file) {
        try {
            RunRecord run = Json.MAPPER.readValue(file.toFile(), RunRecord.class);
            run.dir = file.getParent();
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read run record " + file, e);
        }
    }

    /** Records the input of a new run: a prompt file or directory, or the Kafka topics of {@code options}. */
    void describeInput(String promptPath, boolean followPrompts, Map<String, String> options) {
        String topics = options.get(KafkaOptions.SOURCE_TOPICS.key());
        prompts = topics != null ? KAFKA_INPUT + topics : Locations.asUri(promptPath).toString();
        follow = followPrompts || topics != null;
    }

    /** Whether the run reads Kafka topics (the job's Kafka options name them) rather than prompt files. */
    boolean readsKafka() {
        return prompts.startsWith(KAFKA_INPUT);
    }

    Path dir() {
        return dir;
    }

    Path logFile() {
        return dir.resolve("stageflow.log");
    }

    String savepointDir() {
        return dir.resolve("savepoints").toUri().toString();
    }

    /** The newest job of the run. */
    Optional<Job> lastJob() {
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(jobs.size() - 1));
    }

    boolean isFinished() {
        return JobStatus.FINISHED.name().equals(status);
    }

    /** The options to run again: the recorded ones with {@code given} on top; a hidden secret must be given again. */
    Map<String, String> optionsWith(Map<String, String> given) {
        Map<String, String> merged = new LinkedHashMap<>(options);
        merged.putAll(given);
        merged.forEach((key, value) -> {
            if (GlobalConfiguration.HIDDEN_CONTENT.equals(value)) {
                throw new CommandFailedException("Run " + runId + " had option " + key + ", which is a secret and was not"
                        + " recorded: give it again (--" + key + " ...), or by its environment variable");
            }
        });
        return merged;
    }

    /** Records job {@code jobId}, started on {@code restAddress} from {@code restoredFrom} (or null). */
    void addJob(String jobId, String restAddress, String restoredFrom) {
        Job job = new Job(jobId, restoredFrom);
        change(run -> {
            run.jobs.add(job);
            run.restAddress = restAddress;
            run.checkpointDir = checkpointDir;
            run.status = JobStatus.RUNNING.name();
        });
    }

    void addSavepoint(String path) {
        change(run -> run.savepoints.add(path));
    }

    void markStatus(String newStatus) {
        change(run -> run.status = newStatus);
    }

    /** The newest savepoint taken of this run, if any. */
    Optional<String> lastSavepoint() {
        return savepoints.isEmpty() ? Optional.empty() : Optional.of(savepoints.get(savepoints.size() - 1));
    }

    /**
     * Applies {@code change} to the record as it is on disk now and to this copy: a run is recorded
     * by the process that runs it and by the commands that stop it or take savepoints of it.
     */
    private void change(Consumer<RunRecord> change) {
        Path file = dir.resolve(FILE);
        RunRecord latest = Files.isRegularFile(file) ? load(file) : this;
        change.accept(latest);
        if (latest != this) {
            change.accept(this);
        }
        latest.save();
    }

    void save() {
        try {
            Files.createDirectories(dir);
            Path temp = dir.resolve("." + FILE + ".tmp");
            Files.writeString(temp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this));
            Files.move(temp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + dir.resolve(FILE), e);
        }
    }
}

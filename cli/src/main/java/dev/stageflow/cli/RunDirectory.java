package dev.stageflow.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One local run's directory, {@code data/runs/<run-id>/}: {@code run.json} (what was asked and
 * how far it got), the checkpoints and, unless {@code --out} says otherwise, the outputs. A run
 * that did not finish can be resumed from its latest completed checkpoint.
 */
final class RunDirectory {

    static final String RUNNING = "RUNNING";
    static final String FINISHED = "FINISHED";
    static final String FAILED = "FAILED";
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    final Path dir;
    final ObjectNode info;

    private RunDirectory(Path dir, ObjectNode info) {
        this.dir = dir;
        this.info = info;
    }

    static RunDirectory create(
            Path runsDir, String prompts, String outputDir, boolean follow, Map<String, String> options) {
        String runId = LocalDateTime.now().format(RUN_ID);
        Path dir = runsDir.resolve(runId);
        for (int i = 2; Files.exists(dir); i++) {
            dir = runsDir.resolve(runId + "-" + i);
        }
        ObjectNode info = Json.MAPPER.createObjectNode();
        info.put("runId", dir.getFileName().toString());
        info.put("prompts", prompts);
        info.put("outputDir", outputDir == null ? dir.resolve("out").toAbsolutePath().toString() : outputDir);
        info.put("follow", follow);
        info.put("status", RUNNING);
        info.set("options", Json.MAPPER.valueToTree(options));
        RunDirectory run = new RunDirectory(dir, info);
        run.save();
        return run;
    }

    /** The newest run that did not finish and has a completed checkpoint to resume from. */
    static Optional<RunDirectory> latestResumable(Path runsDir) {
        if (!Files.isDirectory(runsDir)) {
            return Optional.empty();
        }
        try (Stream<Path> runs = Files.list(runsDir)) {
            return runs.filter(d -> Files.isRegularFile(d.resolve("run.json")))
                    .sorted(Comparator.comparing((Path d) -> d.getFileName().toString()).reversed())
                    .map(RunDirectory::load)
                    .filter(run -> !FINISHED.equals(run.info.path("status").asText()))
                    .filter(run -> run.latestCheckpoint().isPresent())
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + runsDir, e);
        }
    }

    private static RunDirectory load(Path dir) {
        try {
            return new RunDirectory(dir, (ObjectNode) Json.MAPPER.readTree(dir.resolve("run.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + dir.resolve("run.json"), e);
        }
    }

    String runId() {
        return info.path("runId").asText();
    }

    String prompts() {
        return info.path("prompts").asText();
    }

    boolean follow() {
        return info.path("follow").asBoolean();
    }

    Path outputDir() {
        return Path.of(info.path("outputDir").asText());
    }

    Path checkpointDir() {
        return dir.resolve("checkpoints").toAbsolutePath();
    }

    Path savepointDir() {
        return dir.resolve("savepoints").toAbsolutePath();
    }

    Path logFile() {
        return dir.resolve("stageflow.log").toAbsolutePath();
    }

    Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        info.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
        return options;
    }

    /** The newest completed checkpoint ({@code chk-N} with {@code _metadata}) of any job of this run. */
    Optional<Path> latestCheckpoint() {
        if (!Files.isDirectory(checkpointDir())) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(checkpointDir(), 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparingLong(RunDirectory::checkpointNumber));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list checkpoints in " + checkpointDir(), e);
        }
    }

    void markStatus(String status, String jobId) {
        info.put("status", status);
        if (jobId != null) {
            info.put("jobId", jobId);
        }
        save();
    }

    private static long checkpointNumber(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
    }

    private void save() {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("run.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(info));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + dir.resolve("run.json"), e);
        }
    }
}

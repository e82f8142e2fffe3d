package dev.stageflow.cli;

import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which run's output a command reads: {@code --out DIR}, else the run {@code --run ID}, else the newest run. */
final class RunSelection {

    @Option(names = "--out", paramLabel = "DIR",
            description = "a run's output.dir (holding results/ and dead-letters/), a path or URI")
    String outputDir;

    @Option(names = "--run", paramLabel = "RUN", description = "a run id (default: the newest run)")
    String runId;

    @Mixin
    DataDirOption dataDir;

    /** The run whose output is read, unless {@code --out} names a directory directly. */
    Optional<RunRecord> run() {
        return outputDir != null
                ? Optional.empty()
                : Optional.of(RunRecord.find(dataDir.get(), Optional.ofNullable(runId), run -> true, "run"));
    }

    /** The output directory to read. */
    String outputDir() {
        return outputDir != null ? outputDir : run().orElseThrow().outputDir;
    }
}

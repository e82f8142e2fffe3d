package dev.stageflow.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.GlobalConfiguration;
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

    /**
     * The options to read the run's artifacts with: its store layout's (starting the servers a seed
     * layout needs), its recorded options (not its secrets), and {@code given} on top.
     */
    Map<String, String> options(Map<String, String> given, PrintWriter out) {
        Map<String, String> options = new LinkedHashMap<>();
        run().ifPresent(record -> {
            options.putAll(record.layout.options(dataDir.get(), out));
            record.options.forEach((key, value) -> {
                if (!GlobalConfiguration.HIDDEN_CONTENT.equals(value)) {
                    options.put(key, value);
                }
            });
        });
        options.putAll(given);
        return options;
    }

    /** The output directory to read. */
    String outputDir() {
        return outputDir != null ? outputDir : run().orElseThrow().outputDir;
    }
}

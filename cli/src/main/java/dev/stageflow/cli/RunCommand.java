package dev.stageflow.cli;

import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stageflow run}: the job on a local Flink MiniCluster; see {@link LocalRun}. */
@Command(
        name = "run",
        header = "Runs the job on a local Flink with its web UI, and summarises what it committed.",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the job on a local Flink (web UI on http://localhost:8081) over the example prompts, or over"
                    + " --prompts, with a local store and Redis under the data directory; shows progress and ends"
                    + " with a summary. Any further --key value is a job or Flink option, e.g."
                    + " --generator.batch.size 8, or Kafka input instead of files:"
                    + " --source.kafka.bootstrap-servers localhost:9092 --source.kafka.topics prompts."
        })
final class RunCommand extends JobOptionsCommand {

    @Option(names = "--prompts", paramLabel = "PATH", defaultValue = "examples/prompts.jsonl",
            description = "JSON-lines file or directory of them (default: ${DEFAULT-VALUE})")
    String prompts;

    @Option(names = "--follow", description = "keep watching the directory for new files (stop with Ctrl-C)")
    boolean follow;

    @Option(names = "--out", paramLabel = "DIR",
            description = "where results/ and dead-letters/ go (default: <data-dir>/runs/<run>/out)")
    String outputDir;

    @Option(names = "--resume", description = "continue the newest unfinished local run from its latest checkpoint")
    boolean resume;

    @Option(names = "--layout", paramLabel = "LAYOUT", defaultValue = "local",
            description = "where artifacts go: local (a directory under the data directory) or seed (latents and"
                    + " images on a local S3, enhanced images on a local HDFS, embeddings in Redis)"
                    + " (default: ${DEFAULT-VALUE})")
    StoreLayout layout;

    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        Map<String, String> options = submittedJobOptions();
        if (resume) {
            return Resumption.resume(dataDir.get(), Optional.empty(), options, Optional.empty(), out());
        }
        RunRecord run = RunRecord.create(dataDir.get(), RunRecord.Target.LOCAL, options);
        run.describeInput(prompts, follow, options);
        run.layout = layout;
        if (outputDir != null) {
            run.outputDir = Locations.asUri(outputDir).toString();
        }
        run.save();
        return new LocalRun(run, dataDir.get(), out()).execute(options, Optional.empty());
    }
}

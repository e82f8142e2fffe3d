package dev.stageflow.cli;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.Secrets;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Submits a run's job to a cluster as {@code flink run} does: the job graph is built here, with
 * the cluster's own configuration (read over REST) under the run's options and Flink's file systems
 * loaded with their plugins, so a bad option (a store URI whose scheme no file system supports)
 * fails before anything is sent, and the job jar goes with it.
 */
final class Submission {

    /** The job jar the launcher found next to the command line ({@code job/target/...-job.jar}). */
    static final String JOB_JAR_PROPERTY = "stageflow.job.jar";

    private Submission() {}

    /** Submits the job of {@code run} with {@code options}, restored from {@code restoreFrom} if given. */
    static JobID submit(FlinkRest rest, RunRecord run, Map<String, String> options, Optional<String> restoreFrom) {
        Configuration conf = rest.clusterConfiguration();
        options.forEach(conf::setString);
        if (!run.readsKafka()) {
            conf.set(SourceOptions.PROMPTS, run.prompts);
            conf.set(SourceOptions.FOLLOW, run.follow);
        }
        conf.set(SinkOptions.OUTPUT_DIR, run.outputDir);
        Configurations.initializeFileSystems(conf);
        run.checkpointDir = conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).orElse(null);
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(Secrets.withoutJobSecrets(conf));
        JobGraph graph = StageflowJob.streamGraph(env, conf).getJobGraph();
        graph.addJar(new org.apache.flink.core.fs.Path(jobJar().toUri()));
        // Flink's list of further jars for the job, e.g. a model family's (README.md, "Model families").
        conf.getOptional(PipelineOptions.JARS).orElse(List.of())
                .forEach(jar -> graph.addJar(new org.apache.flink.core.fs.Path(jar)));
        restoreFrom.ifPresent(path -> graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(path, false)));
        JobID job = rest.submit(graph);
        run.addJob(job.toString(), rest.address(), restoreFrom.orElse(null));
        return job;
    }

    private static Path jobJar() {
        String jar = System.getProperty(JOB_JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new CommandFailedException("No job jar at " + jar + " (system property " + JOB_JAR_PROPERTY
                    + "): build it with mvn package, or run ./stageflow, which builds it");
        }
        return Path.of(jar);
    }
}

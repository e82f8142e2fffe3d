package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.JobOperator;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress line finds the job's vertices by the uid of their head operator, with or without chaining. */
class JobProgressTest {

    @TempDir
    Path dir;

    @Test
    void everyOperatorHeadsItsOwnVertexWithoutChaining() {
        assertThat(JobProgress.headOperators(jobGraph(false)).values()).contains(JobOperator.PARSE_VALIDATE,
                JobOperator.DEDUPE, JobOperator.TEXT_ENCODE, JobOperator.IMAGE_GENERATE, JobOperator.IMAGE_ENHANCE,
                JobOperator.COMMIT_RESULTS, JobOperator.COMMIT_DEAD_LETTERS);
    }

    @Test
    void aChainIsNamedByItsFirstOperator() {
        assertThat(JobProgress.headOperators(jobGraph(true)).values())
                .contains(JobOperator.SOURCE_FILES, JobOperator.DEDUPE)
                .doesNotContain(JobOperator.TEXT_ENCODE, JobOperator.IMAGE_ENHANCE, JobOperator.COMMIT_RESULTS);
    }

    private JobGraph jobGraph(boolean chaining) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OPERATOR_CHAINING, chaining);
        conf.set(SourceOptions.PROMPTS, dir.resolve("prompts").toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
        return StageflowJob.streamGraph(env, conf).getJobGraph();
    }
}

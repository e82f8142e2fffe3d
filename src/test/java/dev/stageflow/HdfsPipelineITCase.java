package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Style;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.PromptParser;
import dev.stageflow.stage.RequestLimits;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.MiniHdfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with its artifact store on HDFS: the stages write through Flink's task file systems
 * (wrapped in Flink's safety net), and the replication option still reaches every file.
 */
class HdfsPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Two DataNodes: without the option files would get Hadoop's default of 3, not 2. */
    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(2);

    private static final List<String> PROMPTS = List.of(
            "{\"text\": \"a lighthouse on a rocky coast at dawn\"}",
            "{\"text\": \"a red fox sleeping in fresh snow\", \"seed\": 7}",
            "{\"promptId\": \"fixed-1\", \"text\": \"an astronaut riding a horse\", \"style\": \"vivid\"}");

    @TempDir
    Path dir;

    @Test
    void commitsEveryPromptWithArtifactsOnHdfsAtTheConfiguredReplication() throws Exception {
        Path input = Files.write(dir.resolve("prompts.jsonl"), PROMPTS);
        Path out = dir.resolve("out");
        Configuration conf = new Configuration();
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, HDFS.uri().resolve("/stageflow").toString());
        conf.set(StoreOptions.HDFS_REPLICATION, 2);
        conf.set(RequestOptions.DEFAULT_WIDTH, 64);
        conf.set(RequestOptions.DEFAULT_HEIGHT, 64);
        conf.set(RequestOptions.DEFAULT_STEPS, 2);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("checkpoints").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        StageflowJob.build(env, conf);
        env.execute("hdfs-pipeline");

        List<GenerationResult> results = CommittedOutput.results(new org.apache.flink.core.fs.Path(out.toUri()));
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expectedPromptIds());
        ArtifactStore store = new ArtifactStore(StoreSettings.from(conf));
        List<ArtifactRef> refs = results.stream()
                .flatMap(r -> Stream.of(r.encode, r.generate, r.enhance))
                .flatMap(outcome -> Stream.of(outcome.artifacts))
                .toList();
        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref.uri).startsWith(HDFS.uri().resolve("/stageflow/").toString());
            assertThat(store.read(ref)).hasSize((int) ref.rawSize);
        });
        List<LocatedFileStatus> files = filesUnder("/stageflow");
        assertThat(files).extracting(f -> f.getPath().getName()).noneMatch(name -> name.endsWith(".tmp"));
        assertThat(files).extracting(LocatedFileStatus::getReplication).containsOnly((short) 2);
    }

    private static List<String> expectedPromptIds() throws Exception {
        PromptParser parser = new PromptParser(new RequestLimits(16_384, 1_000, 32, 1_024, 50, 64, 64, 2, Style.NATURAL));
        List<String> ids = new ArrayList<>();
        for (String line : PROMPTS) {
            ids.add(parser.parse(line, 0).promptId);
        }
        return ids;
    }

    private static List<LocatedFileStatus> filesUnder(String root) throws Exception {
        List<LocatedFileStatus> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = HDFS.hadoopFileSystem().listFiles(new org.apache.hadoop.fs.Path(root), true);
        while (it.hasNext()) {
            files.add(it.next());
        }
        return files;
    }
}

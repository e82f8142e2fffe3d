package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.LineageRows;
import dev.stageflow.testing.MiniHdfs;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The deployment the design describes: embeddings in Redis, generated latents and images on S3
 * (S3Proxy), final images on HDFS (MiniDFSCluster), all real servers on free loopback ports. The
 * committed artifacts must be exactly those of a {@code file://} run of the same input, byte for
 * byte: same content keys below each root, same SHA-256s and sizes. Each run also writes the
 * lineage table, the local one to HDFS, the other to S3, and each table holds its run's results.
 */
class DistributedStoresITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    /** Two DataNodes: with Hadoop's default replication of 3 the files would say 3, not 2. */
    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(2);

    /** Small chunks, so that artifacts span several objects and blocks. */
    private static final String CHUNK_SIZE = "8kb";

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;
    private static RedisServer redis;
    private static List<String> lines;
    private static Path input;

    @BeforeAll
    static void startServers() throws Exception {
        s3 = S3ProxyServer.start(dir.resolve("s3"), "generated");
        s3.initializeFlinkFileSystems();
        redis = RedisServer.start(dir.resolve("redis"));
        lines = Files.readAllLines(TestPrompts.examples()).subList(0, 24);
        input = Files.write(dir.resolve("prompts.jsonl"), lines);
    }

    @AfterAll
    static void stopServers() {
        redis.close();
        s3.close();
        S3ProxyServer.resetFlinkFileSystems();
    }

    @Test
    void artifactsOnS3AndHdfsEqualThoseOfALocalStoreAndRedisHoldsEveryPrompt() throws Exception {
        Configuration local = job("local");
        local.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        local.set(SinkOptions.LINEAGE_PARQUET_DIR, HDFS.uri().resolve("/lineage").toString());
        TestJobs.run(local, "distributed-stores");

        Configuration distributed = job("distributed");
        distributed.set(StoreOptions.GENERATE_URI, s3.uri("stageflow").toString());
        distributed.set(StoreOptions.ENHANCE_URI, HDFS.uri().resolve("/stageflow").toString());
        distributed.set(StoreOptions.HDFS_REPLICATION, 2);
        distributed.set(CacheOptions.REDIS_URI, redis.uri().toString());
        distributed.set(SinkOptions.LINEAGE_PARQUET_DIR, s3.uri("lineage").toString());
        TestJobs.run(distributed, "distributed-stores");

        Set<String> expected = TestJobs.validPromptIds(lines, local);
        List<GenerationResult> localResults = TestJobs.results(out("local"));
        List<GenerationResult> results = TestJobs.results(out("distributed"));
        assertThat(localResults).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(out("distributed"))))
                .extracting(TestJobs::rawOrConflictingText)
                .containsExactlyInAnyOrderElementsOf(TestJobs.deadLetterInputs(lines, local));

        assertThat(contentById(results)).isEqualTo(contentById(localResults));
        assertEveryArtifactVerifies(results, distributed);
        assertThat(hdfsFiles()).extracting(LocatedFileStatus::getReplication).isNotEmpty().containsOnly((short) 2);
        assertRedisHoldsEmbeddingsAndMetadata(results);
        assertThat(LineageRows.read(new org.apache.flink.core.fs.Path(s3.uri("lineage"))))
                .as("lineage table on S3").isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(results.stream().map(LineageRows::expected).toList());
        assertThat(LineageRows.read(new org.apache.flink.core.fs.Path(HDFS.uri().resolve("/lineage"))))
                .as("lineage table on HDFS").isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(localResults.stream().map(LineageRows::expected).toList());
    }

    private static Configuration job(String name) {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints-" + name));
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out(name).toUri().toString());
        conf.setString(StoreOptions.CHUNK_SIZE.key(), CHUNK_SIZE);
        return conf;
    }

    private static Path out(String name) {
        return dir.resolve("out-" + name);
    }

    /**
     * Per prompt, every artifact with its URI cut to the part below its store root (from the
     * stage directory on): what must not depend on where the store is.
     */
    private static Map<String, List<String>> contentById(List<GenerationResult> results) {
        return results.stream().collect(Collectors.toMap(r -> r.promptId, r -> {
            List<String> content = new ArrayList<>();
            for (ArtifactRef ref : r.generate.artifacts) {
                content.add(describe(ref, ImageGenerateStage.STAGE));
            }
            for (ArtifactRef ref : r.enhance.artifacts) {
                content.add(describe(ref, ImageEnhanceStage.STAGE));
            }
            return content;
        }));
    }

    private static String describe(ArtifactRef ref, String stage) {
        int keyStart = ref.uri.indexOf("/" + stage + "/");
        assertThat(keyStart).as(ref.uri).isPositive();
        return String.join(" ", ref.name, ref.uri.substring(keyStart), ref.sha256, Long.toString(ref.rawSize),
                Long.toString(ref.storedSize), ref.codec, Integer.toString(ref.chunks), ref.mediaType);
    }

    private static void assertEveryArtifactVerifies(List<GenerationResult> results, Configuration conf) {
        try (ArtifactStore generated = new ArtifactStore(StoreSettings.from(conf, StoreOptions.GENERATE_URI));
                ArtifactStore enhanced = new ArtifactStore(StoreSettings.from(conf, StoreOptions.ENHANCE_URI))) {
            for (GenerationResult result : results) {
                for (ArtifactRef ref : result.generate.artifacts) {
                    assertThat(ref.uri).startsWith("s3://generated/stageflow/" + ImageGenerateStage.STAGE + "/");
                    assertThat(generated.read(ref)).hasSize((int) ref.rawSize);
                }
                ArtifactRef image = result.enhance.artifact(ImageEnhanceStage.IMAGE);
                assertThat(image.uri).startsWith(HDFS.uri().resolve("/stageflow/" + ImageEnhanceStage.STAGE + "/").toString());
                assertThat(enhanced.read(image)).hasSize((int) image.rawSize);
            }
        }
    }

    private static void assertRedisHoldsEmbeddingsAndMetadata(List<GenerationResult> results) {
        Set<String> texts = results.stream().map(r -> r.text).collect(Collectors.toSet());
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.keys("sf:emb:*")).hasSize(texts.size());
            Set<String> promptKeys = jedis.keys(PromptMetadata.KEY_PREFIX + "*");
            assertThat(promptKeys).containsExactlyInAnyOrderElementsOf(
                    results.stream().map(r -> PromptMetadata.keyOf(r.promptId)).toList());
            for (GenerationResult result : results) {
                assertThat(jedis.hgetAll(PromptMetadata.keyOf(result.promptId)))
                        .as(result.promptId)
                        .containsAllEntriesOf(PromptMetadata.fields(result));
            }
        }
    }

    private static List<LocatedFileStatus> hdfsFiles() throws Exception {
        List<LocatedFileStatus> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it =
                HDFS.hadoopFileSystem().listFiles(new org.apache.hadoop.fs.Path("/stageflow"), true);
        while (it.hasNext()) {
            files.add(it.next());
        }
        return files;
    }
}

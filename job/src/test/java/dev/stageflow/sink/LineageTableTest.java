package dev.stageflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.testing.LineageRows;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One part file of the lineage table, written as the sink writes it and read back with Parquet's
 * reader: every column of every row, a stage without artifacts (an empty list), a missing string,
 * also written without Hadoop on the classpath; and the check of its directory when the job is built.
 */
class LineageTableTest {

    @TempDir
    Path dir;

    @Test
    void writesEveryColumnOfEachResult() throws Exception {
        GenerationResult first = result("p-1", "a lighthouse at dusk", "vivid");
        GenerationResult second = result("p-2", "a red fox", null);
        second.generate.cacheHit = true;
        second.generate.attempts = 3;

        write(List.of(first, second));

        List<Map<String, Object>> rows = LineageRows.read(dir);
        assertThat(rows).containsExactlyInAnyOrder(LineageRows.expected(first), LineageRows.expected(second));
        assertThat(rows).allSatisfy(row -> assertThat(row).containsEntry("text_encode_artifacts", List.of()));
        assertThat(rows).filteredOn(row -> row.get("prompt_id").equals("p-2"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("style", null)
                        .containsEntry("image_generate_cache_hit", true)
                        .containsEntry("image_generate_attempts", 3));
        assertThat(rows.get(0)).as("every column of the schema is read back").hasSize(
                LineageTable.SCHEMA.getFieldCount());
    }

    @Test
    void textIsOnlyInTheResultsNeverInTheTable() throws Exception {
        String text = "a secret family recipe";
        write(List.of(result("p-1", text, "warm")));

        assertThat(LineageRows.read(dir)).singleElement().satisfies(row -> assertThat(row.values())
                .noneSatisfy(value -> assertThat(String.valueOf(value)).contains(text)));
    }

    /**
     * The writer in a class loader over the test classpath without Hadoop's jars, as on a Flink
     * image without Hadoop: Parquet's own codecs would need Hadoop's classes.
     */
    @Test
    void writesWithoutHadoopOnTheClasspath() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        URL[] withoutHadoop = Stream.of(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.contains("/org/apache/hadoop/"))
                .map(entry -> {
                    try {
                        return Path.of(entry).toUri().toURL();
                    } catch (MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toArray(URL[]::new);
        Path file = dir.resolve("lineage-0-0" + LineageTable.SUFFIX);

        try (URLClassLoader loader = new URLClassLoader(withoutHadoop, ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("org.apache.hadoop.conf.Configuration"))
                    .as("Hadoop in the class loader").isInstanceOf(ClassNotFoundException.class);
            loader.loadClass(WriteWithoutHadoop.class.getName()).getMethod("write", String.class)
                    .invoke(null, file.toUri().toString());
        }

        assertThat(LineageRows.read(dir)).containsExactly(LineageRows.expected(result("p-1", "a koi pond", "mono")));
    }

    /** Loaded by the class loader without Hadoop, so everything it uses is loaded there too. */
    public static final class WriteWithoutHadoop {

        private WriteWithoutHadoop() {}

        public static void write(String file) throws Exception {
            LineageTableTest.write(new org.apache.flink.core.fs.Path(file), List.of(result("p-1", "a koi pond", "mono")));
        }
    }

    @Test
    void aDirectoryNoFlinkFileSystemSupportsFailsAtBuildNamingTheOption() {
        Configuration conf = new Configuration();
        conf.set(SourceOptions.PROMPTS, dir.resolve("prompts").toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(SinkOptions.LINEAGE_PARQUET_DIR, "s4://bucket/lineage");

        assertThatThrownBy(() -> StageflowJob.build(StreamExecutionEnvironment.getExecutionEnvironment(conf), conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith("Option sink.lineage.parquet.dir 's4://bucket/lineage' has a scheme that no"
                        + " Flink file system supports here");
        conf.set(SinkOptions.LINEAGE_PARQUET_DIR, dir.resolve("lineage").toString());
        assertThatCode(() -> StageflowJob.build(StreamExecutionEnvironment.getExecutionEnvironment(conf), conf))
                .as("a local path without a scheme").doesNotThrowAnyException();
    }

    private void write(List<GenerationResult> results) throws Exception {
        write(new org.apache.flink.core.fs.Path(dir.resolve("lineage-0-0" + LineageTable.SUFFIX).toUri()), results);
    }

    private static void write(org.apache.flink.core.fs.Path file, List<GenerationResult> results) throws Exception {
        try (FSDataOutputStream out = file.getFileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
            BulkWriter<GenerationResult> writer = LineageTable.writers().create(out);
            for (GenerationResult result : results) {
                writer.addElement(result);
            }
            writer.finish();
        }
    }

    private static GenerationResult result(String promptId, String text, String style) {
        ArtifactRef latent = new ArtifactRef("latent", "file:///store/image-generate/" + promptId + "/latent",
                "11".repeat(32), 32768, 20000, "zstd", 1, "application/x-npy");
        ArtifactRef generated = new ArtifactRef("image", "file:///store/image-generate/" + promptId + "/image",
                "22".repeat(32), 12000, 12000, "none", 1, "image/png");
        ArtifactRef image = new ArtifactRef("image", "file:///store/image-enhance/" + promptId + "/image",
                "33".repeat(32), 13000, 13000, "none", 2, "image/png");
        GenerationResult result = new GenerationResult();
        result.promptId = promptId;
        result.text = text;
        result.seed = 42;
        result.width = 64;
        result.height = 48;
        result.steps = 2;
        result.style = style;
        result.submittedAt = 1_764_500_000_123L;
        result.encode = new StageOutcome("text-encode", "minilm", "enc-v", false, 3, new ArtifactRef[0]);
        result.generate = new StageOutcome("image-generate", "builtin", "gen-v", false, 40,
                new ArtifactRef[] {latent, generated});
        result.enhance = new StageOutcome("image-enhance", "enhance", "enh-v", false, 7, new ArtifactRef[] {image});
        result.image = image;
        return result;
    }
}

package dev.stageflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactLocation;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import dev.stageflow.testing.faults.FailingFileSystem;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;

/** The exactly-once promise as assertions on a run's committed output and its store. */
public final class ExactlyOnce {

    private ExactlyOnce() {}

    /**
     * Exactly {@code expectedIds} are committed, each once; exactly {@code deadLetterInputs} are dead
     * letters ({@link TestJobs#deadLetterInputs}), each once; every artifact of every result reads back and matches its sha256.
     */
    public static List<GenerationResult> assertCommittedExactlyOnce(
            Path out, Collection<String> expectedIds, Collection<String> deadLetterInputs, Configuration storeConf) {
        List<GenerationResult> results = TestJobs.results(out);
        assertThat(results).extracting(r -> r.promptId)
                .as("committed promptIds, each exactly once")
                .containsExactlyInAnyOrderElementsOf(expectedIds);
        assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(out))).extracting(TestJobs::rawOrConflictingText)
                .as("dead letters, each invalid line exactly once")
                .containsExactlyInAnyOrderElementsOf(deadLetterInputs);
        try (ArtifactStore store = new ArtifactStore(StoreSettings.from(storeConf))) {
            for (GenerationResult result : results) {
                for (ArtifactRef ref : TestJobs.artifacts(result)) {
                    assertThat(store.read(ref)).as("%s of %s", ref.uri, result.promptId).hasSize((int) ref.rawSize);
                }
            }
        }
        return results;
    }

    /**
     * No artifact of a {@link FailingFileSystem} store was written twice: a replay finds the work
     * stored before a failure instead of paying for it again (a stage that computed an artifact
     * again would write it again). Returns how many distinct artifacts each stage stored.
     */
    public static Map<String, Long> assertEachArtifactStoredOnce() {
        Map<String, Long> counts = FailingFileSystem.commitCounts();
        assertThat(counts).as("artifacts written more than once").allSatisfy((artifact, writes) ->
                assertThat(writes).as(artifact).isEqualTo(1L));
        return counts.keySet().stream().collect(Collectors.groupingBy(
                artifact -> ArtifactLocation.ofUri(artifact).orElseThrow().stage(), Collectors.counting()));
    }
}

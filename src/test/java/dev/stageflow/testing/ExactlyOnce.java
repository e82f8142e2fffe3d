package dev.stageflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.faults.ModelCallLog;
import dev.stageflow.faults.ModelCallLog.Event;
import dev.stageflow.faults.ModelCallLog.Kind;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;

/** The exactly-once promise as assertions on a run's committed output, store and model call log. */
public final class ExactlyOnce {

    private ExactlyOnce() {}

    /**
     * Exactly {@code expectedIds} are committed, each once; exactly {@code invalidLines} are dead
     * letters, each once; every artifact of every result reads back and matches its sha256.
     */
    public static List<GenerationResult> assertCommittedExactlyOnce(
            Path out, Collection<String> expectedIds, Collection<String> invalidLines, Configuration storeConf) {
        List<GenerationResult> results = TestJobs.results(out);
        assertThat(results).extracting(r -> r.promptId)
                .as("committed promptIds, each exactly once")
                .containsExactlyInAnyOrderElementsOf(expectedIds);
        assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(out))).extracting(d -> d.raw)
                .as("dead letters, each invalid line exactly once")
                .containsExactlyInAnyOrderElementsOf(invalidLines);
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
     * No model call for a content key after its artifact was stored: a replay finds the stored work
     * instead of paying for it again. Returns the number of calls per stage, repeats included.
     */
    public static Map<String, Long> assertNothingComputedAgainOnceStored(Path callLog) throws IOException {
        List<Event> events = ModelCallLog.read(callLog);
        Map<String, Long> firstStored = new HashMap<>();
        for (Event event : events) {
            if (event.kind() == Kind.STORED) {
                firstStored.merge(event.key(), event.epochMillis(), Math::min);
            }
        }
        List<Event> computedAgain = events.stream()
                .filter(e -> e.kind() == Kind.CALL)
                .filter(e -> firstStored.containsKey(e.key()) && e.epochMillis() > firstStored.get(e.key()))
                .toList();
        assertThat(computedAgain).as("model calls for artifacts already in the store").isEmpty();
        return events.stream().filter(e -> e.kind() == Kind.CALL)
                .collect(Collectors.groupingBy(Event::stage, Collectors.counting()));
    }

    /** The injected failures the log recorded, in the order of their files. */
    public static List<Event> faults(Path callLog) throws IOException {
        return ModelCallLog.read(callLog).stream().filter(e -> e.kind() == Kind.FAULT).toList();
    }

    /** Distinct keys the model computed per stage (calls minus repeats). */
    public static Map<String, Long> distinctCalls(Path callLog) throws IOException {
        return ModelCallLog.read(callLog).stream().filter(e -> e.kind() == Kind.CALL)
                .collect(Collectors.groupingBy(Event::stage,
                        Collectors.collectingAndThen(Collectors.mapping(Event::key, Collectors.toSet()),
                                keys -> (long) keys.size())));
    }
}

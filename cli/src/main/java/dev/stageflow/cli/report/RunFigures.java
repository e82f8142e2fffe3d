package dev.stageflow.cli.report;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The figures of a run, computed from the rows it committed (not from counters, which a restart
 * resets): what the local run ends with and what a report's header shows.
 *
 * @param committed result rows
 * @param distinct distinct promptIds among them (equal to {@code committed} when exactly once held)
 * @param deadLetters dead letters
 * @param deadLettersByReason dead letters per reason code, by code
 * @param stages per model stage, in pipeline order
 */
public record RunFigures(
        int committed, long distinct, int deadLetters, SortedMap<String, Long> deadLettersByReason,
        List<StageFigures> stages) {

    /** What one stage did over the whole run. */
    public record StageFigures(String stage, long cacheHits, long totalMillis, int prompts) {

        public double averageMillis() {
            return prompts == 0 ? 0.0 : (double) totalMillis / prompts;
        }
    }

    public static RunFigures of(List<GenerationResult> results, List<DeadLetter> deadLetters) {
        long distinct = results.stream().map(result -> result.promptId).distinct().count();
        SortedMap<String, Long> byReason = deadLetters.stream()
                .collect(Collectors.groupingBy(deadLetter -> deadLetter.reason, TreeMap::new, Collectors.counting()));
        List<StageFigures> stages = Arrays.stream(ModelStage.values())
                .map(stage -> new StageFigures(stage.id(),
                        results.stream().filter(result -> stage.outcomeOf(result).cacheHit).count(),
                        results.stream().mapToLong(result -> stage.outcomeOf(result).wallMillis).sum(),
                        results.size()))
                .toList();
        return new RunFigures(results.size(), distinct, deadLetters.size(), byReason, stages);
    }
}

package dev.stageflow.cli;

import dev.stageflow.config.JobOperator;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.sink.CommittedOutput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The figures a local run ends with, computed from what it committed (not from counters). */
final class RunSummary {

    private final List<GenerationResult> results;
    private final List<DeadLetter> deadLetters;
    private final double seconds;

    RunSummary(List<GenerationResult> results, List<DeadLetter> deadLetters, double seconds) {
        this.results = results;
        this.deadLetters = deadLetters;
        this.seconds = seconds;
    }

    void print(PrintWriter out, String outputDir, String storeRoot, Path logFile) {
        long distinct = results.stream().map(r -> r.promptId).distinct().count();
        out.println();
        out.printf("Committed   %d prompts (%d distinct) in %.1f s: %.2f prompts/s%n",
                results.size(), distinct, seconds, results.size() / Math.max(seconds, 1e-3));
        out.printf("Dead letters %d%s%n", deadLetters.size(), deadLetters.isEmpty() ? "" : " " + reasons());
        out.println("Per stage    cache hits   avg ms/prompt   total s");
        stage(out, JobOperator.TEXT_ENCODE.uid(), r -> r.encode);
        stage(out, JobOperator.IMAGE_GENERATE.uid(), r -> r.generate);
        stage(out, JobOperator.IMAGE_ENHANCE.uid(), r -> r.enhance);
        out.println("Results      " + Locations.display(outputDir + "/" + CommittedOutput.RESULTS));
        out.println("Dead letters " + Locations.display(outputDir + "/" + CommittedOutput.DEAD_LETTERS));
        out.println("Artifacts    " + Locations.display(storeRoot));
        if (!results.isEmpty()) {
            out.println("An image     " + Locations.display(results.get(0).image.uri + "/image.png"));
        }
        out.println("Log          " + logFile);
    }

    private String reasons() {
        Map<String, Long> byReason = deadLetters.stream()
                .collect(Collectors.groupingBy(d -> d.reason, TreeMap::new, Collectors.counting()));
        return byReason.toString();
    }

    private void stage(PrintWriter out, String name, Function<GenerationResult, StageOutcome> outcome) {
        long hits = results.stream().filter(r -> outcome.apply(r).cacheHit).count();
        long millis = results.stream().mapToLong(r -> outcome.apply(r).wallMillis).sum();
        out.printf("  %-14s %4d/%-4d   %10.1f   %9.1f%n",
                name, hits, results.size(), results.isEmpty() ? 0.0 : (double) millis / results.size(), millis / 1000.0);
    }
}

package dev.stageflow.cli;

import dev.stageflow.cli.report.RunFigures;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The figures a local run ends with, computed from what it committed (not from counters). */
final class RunSummary {

    private final List<GenerationResult> results;
    private final RunFigures figures;
    private final double seconds;

    RunSummary(List<GenerationResult> results, List<DeadLetter> deadLetters, double seconds) {
        this.results = results;
        this.figures = RunFigures.of(results, deadLetters);
        this.seconds = seconds;
    }

    void print(PrintWriter out, String outputDir, String storeRoot, Path logFile) {
        out.println();
        out.printf("Committed   %d prompts (%d distinct) in %.1f s: %.2f prompts/s%n",
                figures.committed(), figures.distinct(), seconds, figures.committed() / Math.max(seconds, 1e-3));
        out.printf("Dead letters %d%s%n", figures.deadLetters(),
                figures.deadLetters() == 0 ? "" : " " + figures.deadLettersByReason());
        out.println("Per stage    cache hits   avg ms/prompt   total s");
        for (RunFigures.StageFigures stage : figures.stages()) {
            out.printf("  %-14s %4d/%-4d   %10.1f   %9.1f%n", stage.stage(), stage.cacheHits(), stage.prompts(),
                    stage.averageMillis(), stage.totalMillis() / 1000.0);
        }
        out.println("Results      " + Locations.display(outputDir + "/" + CommittedOutput.RESULTS));
        out.println("Dead letters " + Locations.display(outputDir + "/" + CommittedOutput.DEAD_LETTERS));
        out.println("Artifacts    " + Locations.display(storeRoot));
        if (!results.isEmpty()) {
            out.println("An image     " + Locations.display(results.get(0).image.uri + "/image.png"));
        }
        out.println("Log          " + logFile);
    }
}

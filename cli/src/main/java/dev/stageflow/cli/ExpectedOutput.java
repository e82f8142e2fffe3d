package dev.stageflow.cli;

import dev.stageflow.source.PromptFileOutcomes;
import dev.stageflow.stage.RequestLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.connector.file.src.enumerate.DefaultFileFilter;

/**
 * What the job will commit for a local prompt file or directory ({@link PromptFileOutcomes}): one
 * result per distinct valid promptId, one dead letter per invalid line or conflicting promptId. A
 * run is complete when its committed output holds this.
 */
record ExpectedOutput(long lines, long results, long deadLetters) {

    static ExpectedOutput of(Path prompts, RequestLimits limits) {
        PromptFileOutcomes outcomes = PromptFileOutcomes.of(files(prompts), limits);
        return new ExpectedOutput(outcomes.lines(), outcomes.promptIds().size(), outcomes.deadLetters().size());
    }

    /** Results and dead letters to commit in all. */
    long total() {
        return results + deadLetters;
    }

    /**
     * Whether everything not yet committed ({@code committed} of {@link #total()}) has reached the
     * commit operators ({@code atCommit} in the job's current attempt), so that one checkpoint
     * commits the rest. After a restore or a failover the attempt's count starts again at zero and
     * replays only what is not committed, so this never holds before the last prompt arrives; at
     * worst it holds early and costs one checkpoint more.
     */
    boolean awaitsOnlyACheckpoint(long atCommit, long committed) {
        return committed < total() && atCommit >= total() - committed;
    }

    /** The file, or the files below the directory that FileSource reads (its own filter of hidden names). */
    private static List<Path> files(Path prompts) {
        if (Files.isRegularFile(prompts)) {
            return List.of(prompts);
        }
        DefaultFileFilter visible = new DefaultFileFilter();
        try (Stream<Path> files = Files.walk(prompts)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> StreamSupport.stream(prompts.relativize(file).spliterator(), false)
                            .allMatch(part -> visible.test(new org.apache.flink.core.fs.Path(part.toString()))))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list prompt files in " + prompts, e);
        }
    }
}

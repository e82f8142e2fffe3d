package dev.stageflow.cli;

import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.PromptParser;
import dev.stageflow.stage.RequestLimits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.connector.file.src.enumerate.DefaultFileFilter;

/**
 * What the job will commit for a local prompt file or directory: one result per distinct valid
 * promptId and one dead letter per invalid line, found by reading the files as the job's source
 * does (UTF-8, malformed bytes replaced, blank lines skipped, hidden files left out) and parsing
 * each line with the job's own parser. A run is complete when its committed output holds this.
 */
record ExpectedOutput(long lines, long results, long deadLetters) {

    static ExpectedOutput of(Path prompts, RequestLimits limits) {
        PromptParser parser = new PromptParser(limits);
        Set<String> promptIds = new HashSet<>();
        long lines = 0;
        long invalid = 0;
        for (Path file : files(prompts)) {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.isBlank()) {
                        continue;
                    }
                    lines++;
                    try {
                        promptIds.add(parser.parse(line, 0).promptId);
                    } catch (InvalidPromptException e) {
                        invalid++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read prompt file " + file, e);
            }
        }
        return new ExpectedOutput(lines, promptIds.size(), invalid);
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

package dev.stageflow.source;

import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.InputLine;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.stage.DedupeStage;
import dev.stageflow.stage.InvalidPromptException;
import dev.stageflow.stage.PromptParser;
import dev.stageflow.stage.RequestLimits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the job makes of local prompt files, found without running it: each file read with the
 * source's {@link LineReader}, each line parsed by the job's {@link PromptParser} and deduplicated
 * as {@link DedupeStage} does, in file order. The local run knows from this when a run is
 * complete.
 *
 * @param lines the non-blank lines
 * @param promptIds the promptIds that become results, each once
 * @param deadLetters the reason of each dead letter
 */
public record PromptFileOutcomes(long lines, Set<String> promptIds, List<DeadLetterReason> deadLetters) {

    public static PromptFileOutcomes of(List<Path> files, RequestLimits limits) {
        PromptParser parser = new PromptParser(limits);
        Map<String, String> accepted = new HashMap<>();
        List<DeadLetterReason> deadLetters = new ArrayList<>();
        long lines = 0;
        for (Path file : files) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                LineReader reader = new LineReader(in, limits.maxLineBytes);
                for (InputLine line = reader.next(); line != null; line = reader.next()) {
                    Optional<DeadLetterReason> deadLetter = deadLetter(parser, line, accepted);
                    if (deadLetter.isPresent() || !line.lenientText().isBlank()) {
                        lines++;
                    }
                    deadLetter.ifPresent(deadLetters::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read prompt file " + file, e);
            }
        }
        return new PromptFileOutcomes(lines, accepted.keySet(), deadLetters);
    }

    /** The reason {@code line} is a dead letter, if it is one; a valid line's promptId goes into {@code accepted}. */
    private static Optional<DeadLetterReason> deadLetter(PromptParser parser, InputLine line, Map<String, String> accepted) {
        Optional<PromptRequest> request;
        try {
            request = parser.parse(line, 0);
        } catch (InvalidPromptException e) {
            return Optional.of(e.reason());
        }
        if (request.isEmpty()) {
            return Optional.empty();
        }
        String fingerprint = DedupeStage.fingerprint(request.get());
        boolean conflict = !accepted.computeIfAbsent(request.get().promptId, id -> fingerprint).equals(fingerprint);
        return conflict ? Optional.of(DeadLetterReason.PROMPT_ID_CONFLICT) : Optional.empty();
    }
}

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
import java.util.LinkedHashSet;
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
        Judge judge = new Judge(limits);
        Set<String> promptIds = new LinkedHashSet<>();
        List<DeadLetterReason> deadLetters = new ArrayList<>();
        long lines = 0;
        for (Path file : files) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                LineReader reader = new LineReader(in, limits.maxLineBytes);
                for (InputLine line = reader.next(); line != null; line = reader.next()) {
                    Verdict verdict = judge.judge(line);
                    if (verdict.deadLetter() != null || !line.lenientText().isBlank()) {
                        lines++;
                    }
                    if (verdict.deadLetter() != null) {
                        deadLetters.add(verdict.deadLetter());
                    } else if (verdict.request() != null) {
                        promptIds.add(verdict.request().promptId);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read prompt file " + file, e);
            }
        }
        return new PromptFileOutcomes(lines, promptIds, deadLetters);
    }

    /**
     * What parse-validate and dedupe make of one line.
     *
     * @param request the prompt the line parses to; null for an invalid or blank line
     * @param deadLetter the reason of the line's dead letter; null for a result, a duplicate or a
     *     blank line
     */
    public record Verdict(PromptRequest request, DeadLetterReason deadLetter) {}

    /** Judges lines fed in order, as parse-validate and dedupe do: the first prompt of an id keeps it. */
    public static final class Judge {

        private final PromptParser parser;
        private final Map<String, String> accepted = new HashMap<>();

        public Judge(RequestLimits limits) {
            this.parser = new PromptParser(limits);
        }

        public Verdict judge(InputLine line) {
            Optional<PromptRequest> request;
            try {
                request = parser.parse(line, 0);
            } catch (InvalidPromptException e) {
                return new Verdict(null, e.reason());
            }
            if (request.isEmpty()) {
                return new Verdict(null, null);
            }
            String fingerprint = DedupeStage.fingerprint(request.get());
            boolean conflict = !accepted.computeIfAbsent(request.get().promptId, id -> fingerprint).equals(fingerprint);
            return new Verdict(request.get(), conflict ? DeadLetterReason.PROMPT_ID_CONFLICT : null);
        }
    }
}

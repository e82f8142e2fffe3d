package dev.stageflow.cli.report;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.store.ArtifactStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything known about one committed prompt: its result row as committed, with optionally each
 * artifact read back and verified, and its Redis hash. Printed as text for people or as one JSON
 * object ({@link Json#MAPPER}) for programs; both say the same.
 *
 * @param outputDir the run's output directory
 * @param committedPrompts how many result rows the run committed
 * @param result the prompt's committed result row, unchanged
 * @param verification each artifact of the row, read back; null when not asked for
 * @param redis the prompt's Redis hash; null without {@code redis.uri}
 */
public record Lineage(String outputDir, int committedPrompts, GenerationResult result,
        List<Verification> verification, RedisHash redis) {

    /** One artifact read back: whether its chunks and content match their SHA-256, and if not why. */
    public record Verification(String stage, String name, String uri, boolean verified, String failure) {}

    /** Reads every artifact of {@code result}'s stages back through {@code store}. */
    public static List<Verification> verify(GenerationResult result, ArtifactStore store) {
        List<Verification> verification = new ArrayList<>();
        for (ModelStage stage : ModelStage.values()) {
            for (ArtifactRef ref : stage.outcomeOf(result).artifacts) {
                ArtifactRead read = ArtifactRead.of(store, ref);
                verification.add(new Verification(stage.id(), ref.name, ref.uri, read.verified(), read.failure()));
            }
        }
        return verification;
    }

    /** Whether every artifact verified; true when they were not read back. */
    public boolean allVerified() {
        return verification == null || verification.stream().allMatch(Verification::verified);
    }

    public String toJson() {
        return Json.write(this);
    }

    public void print(PrintWriter out) {
        out.printf("Prompt       %s%n", result.promptId);
        out.printf("Run          %s (%d prompts committed)%n", outputDir, committedPrompts);
        out.printf("Text         %s%n", result.text);
        out.printf("Parameters   style %s, seed %d, %dx%d, %d steps%n",
                result.style, result.seed, result.width, result.height, result.steps);
        out.printf("Submitted    %s (%d)%n", Instant.ofEpochMilli(result.submittedAt), result.submittedAt);
        for (ModelStage stage : ModelStage.values()) {
            printStage(out, stage, stage.outcomeOf(result));
        }
        out.printf("Final image  %s%n", result.image.uri);
        if (redis != null) {
            printRedis(out);
        }
    }

    private void printStage(PrintWriter out, ModelStage stage, StageOutcome outcome) {
        out.printf("Stage %s%n", stage.id());
        out.printf("  model          %s%n", outcome.model);
        out.printf("  model version  %s%n", outcome.modelVersion);
        out.printf("  cache hit      %s%n", outcome.cacheHit ? "yes" : "no");
        out.printf("  time           %d ms%n", outcome.wallMillis);
        if (outcome.artifacts.length == 0) {
            out.println("  artifacts      none");
        }
        for (ArtifactRef ref : outcome.artifacts) {
            out.printf("  artifact %s%n", ref.name);
            out.printf("    uri          %s%n", ref.uri);
            out.printf("    media type   %s%n", ref.mediaType);
            out.printf("    codec        %s, %d %s%n", ref.codec, ref.chunks, ref.chunks == 1 ? "chunk" : "chunks");
            out.printf("    raw size     %d B%n", ref.rawSize);
            out.printf("    stored size  %d B%n", ref.storedSize);
            out.printf("    sha256       %s%n", ref.sha256);
            if (verification != null) {
                out.printf("    verified     %s%n", verificationOf(stage, ref));
            }
        }
    }

    private String verificationOf(ModelStage stage, ArtifactRef ref) {
        return verification.stream()
                .filter(v -> v.stage().equals(stage.id()) && v.uri().equals(ref.uri))
                .findFirst()
                .map(v -> v.verified() ? "yes, its checksums hold" : "NO: " + v.failure())
                .orElseThrow();
    }

    private void printRedis(PrintWriter out) {
        switch (redis.status()) {
            case FOUND -> {
                out.printf("Redis        %s at %s%n", redis.key(), redis.server());
                int width = redis.fields().keySet().stream().mapToInt(String::length).max().orElse(0);
                redis.fields().forEach((field, value) -> out.printf("  %-" + width + "s  %s%n", field, value));
            }
            case NO_HASH -> out.printf("Redis        %s at %s: no such hash%n", redis.key(), redis.server());
            case UNREACHABLE ->
                out.printf("Redis        %s is not reachable; %s not read%n", redis.server(), redis.key());
        }
    }
}

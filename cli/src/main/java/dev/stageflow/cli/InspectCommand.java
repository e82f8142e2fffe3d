package dev.stageflow.cli;

import dev.stageflow.cli.report.Lineage;
import dev.stageflow.cli.report.RedisHash;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.redis.RedisSettings;
import dev.stageflow.store.ArtifactStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code stageflow inspect}: the lineage of one committed prompt (see {@link Lineage}). The
 * PROMPT_ID is collected with the job options, not declared to picocli (see {@link
 * JobOptions#split}). Exit status: 0 shown (and with {@code --verify}, every artifact verified), 1
 * unknown prompt, unreadable run or an artifact that does not verify, 2 bad arguments.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        customSynopsis = "stageflow inspect PROMPT_ID --out DIR [--verify] [--json] [--key value ...]",
        description = {
            "Prints the lineage of the committed prompt PROMPT_ID of the run with output.dir DIR: its parameters"
                    + " and text, and per stage the model, its version, cache hit, time and every artifact written.",
            "With --redis.uri (a job option) it also prints the prompt's Redis hash sf:prompt:PROMPT_ID."
        })
final class InspectCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "the run's output.dir (holding results/ and dead-letters/), a path or URI")
    String outputDir;

    @Option(names = "--verify", description = "read every artifact back and check its SHA-256 checksums")
    boolean verify;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    /** PROMPT_ID and the job options, e.g. --redis.uri redis://localhost:6379/0. */
    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JobOptions.Split split = JobOptions.split(spec.commandLine(), arguments);
        String promptId = promptId(split.positional());
        Configuration conf = Configurations.load(split.options());
        Configurations.initializeFileSystems(conf);
        RunOutput run = RunOutput.read(outputDir);
        GenerationResult result = run.results().stream()
                .filter(row -> row.promptId.equals(promptId))
                .findFirst()
                .orElseThrow(() -> new CommandFailedException("No committed prompt " + promptId + " in "
                        + run.dir() + ", which holds " + run.results().size() + " committed prompts"));
        List<Lineage.Verification> verification = null;
        if (verify) {
            try (ArtifactStore store = run.artifactReader(conf)) {
                verification = Lineage.verify(result, store);
            }
        }
        RedisHash redis = RedisSettings.from(conf).map(settings -> RedisHash.read(settings, promptId)).orElse(null);
        Lineage lineage = new Lineage(run.dir().toString(), run.results().size(), result, verification, redis);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(lineage.toJson());
        } else {
            lineage.print(out);
        }
        out.flush();
        if (!lineage.allVerified()) {
            spec.commandLine().getErr().println("Some artifacts of " + promptId + " do not verify (see \"verified\")");
            return Stageflow.FAILED;
        }
        return 0;
    }

    private String promptId(List<String> positional) {
        if (positional.size() != 1) {
            throw new ParameterException(spec.commandLine(), positional.isEmpty()
                    ? "Missing PROMPT_ID: which committed prompt to inspect"
                    : "One PROMPT_ID only, got " + positional);
        }
        return positional.get(0);
    }
}

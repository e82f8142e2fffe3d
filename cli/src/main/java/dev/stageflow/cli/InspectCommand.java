package dev.stageflow.cli;

import dev.stageflow.cli.report.Lineage;
import dev.stageflow.cli.report.RedisHash;
import dev.stageflow.config.CacheOptions;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.redis.RedisSettings;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.store.ArtifactStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code stageflow inspect}: the lineage of one committed prompt (see {@link Lineage}). The
 * PROMPT_ID is collected with the job options, not declared to picocli (see {@link
 * JobOptions#split}). Exit status: 0 shown (and with {@code --verify}, every artifact verified), 1
 * unknown prompt, unreadable run or an artifact that does not verify, 2 bad arguments.
 */
@Command(
        name = "inspect",
        header = "Prints the lineage of one committed prompt.",
        mixinStandardHelpOptions = true,
        customSynopsis = "stageflow inspect PROMPT_ID [--run RUN | --out DIR] [--verify] [--json] [--key value ...]",
        description = {
            "Prints the lineage of the committed prompt PROMPT_ID of a run (the newest, --run's, or the one with"
                    + " output.dir --out DIR): its parameters and text, and per stage the model, its version, cache hit,"
                    + " time and every artifact written.",
            "It also prints the prompt's Redis hash sf:prompt:PROMPT_ID: from the run's Redis (redis.uri, or the"
                    + " local run's own Redis, started for the lookup), or from --redis.uri."
        })
final class InspectCommand extends JobOptionsCommand {

    @Mixin
    RunSelection selection;

    @Option(names = "--verify", description = "read every artifact back and check its SHA-256 checksums")
    boolean verify;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Override
    public Integer call() {
        JobOptions.Split split = JobOptions.split(spec.commandLine(), jobArguments);
        String promptId = promptId(split.positional());
        Configuration conf = Configurations.load(selection.options(split.options(), spec.commandLine().getErr()));
        Configurations.initializeFileSystems(conf);
        RunOutput run = RunOutput.read(selection.outputDir());
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
        RedisHash redis = redisHash(conf, promptId);
        Lineage lineage = new Lineage(run.dir().toString(), run.results().size(), result, verification, redis);
        PrintWriter out = out();
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

    /**
     * The prompt's Redis hash: from the {@code redis.uri} given or recorded with the run, else for a
     * local run from its persistent Redis under the data directory, started for the lookup unless
     * it runs; null if there is none to ask.
     */
    private RedisHash redisHash(Configuration given, String promptId) {
        Configuration conf = new Configuration(given);
        Optional<RunRecord> run = selection.run();
        Optional<RedisSettings> settings = RedisSettings.from(conf);
        if (settings.isPresent()) {
            return RedisHash.read(settings.get(), promptId);
        }
        Path localRedis = selection.dataDir.get().resolve(LocalRun.REDIS_DIR);
        if (run.filter(record -> record.target == RunRecord.Target.LOCAL).isEmpty() || RedisServer.isRunningIn(localRedis)) {
            return null;
        }
        try (RedisServer redis = RedisServer.start(localRedis, true)) {
            conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
            return RedisHash.read(RedisSettings.from(conf).orElseThrow(), promptId);
        }
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

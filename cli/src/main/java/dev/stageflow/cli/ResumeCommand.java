package dev.stageflow.cli;

import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code stageflow resume}: continues a run that did not finish; see {@link Resumption}. The RUN is
 * collected with the job options, not declared to picocli (see {@link JobOptions#split}).
 */
@Command(
        name = "resume",
        header = "Continues a run that did not finish, from a savepoint or its latest checkpoint.",
        mixinStandardHelpOptions = true,
        customSynopsis = "stageflow resume [RUN] [--savepoint PATH] [--key value ...]",
        description = {
            "Continues a run that did not finish (the newest one, or RUN) where it stands: locally or on its cluster,"
                    + " from the savepoint of 'stageflow stop', from --savepoint, or from the latest retained checkpoint"
                    + " of its last job (which must have ended: failed, cancelled, or its cluster gone). The run's"
                    + " options apply; --key value overrides them (a secret must be given again)."
        })
final class ResumeCommand extends JobOptionsCommand {

    @Option(names = "--savepoint", paramLabel = "PATH", description = "restore from this savepoint or checkpoint")
    String savepoint;

    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        JobOptions.Split split = JobOptions.split(spec.commandLine(), jobArguments);
        if (split.positional().size() > 1) {
            throw new ParameterException(spec.commandLine(), "One RUN only, got " + split.positional());
        }
        return Resumption.resume(dataDir.get(), split.positional().stream().findFirst(),
                checked(split.options()), Optional.ofNullable(savepoint), out());
    }
}

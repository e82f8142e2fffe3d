package dev.stageflow.cli;

import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stageflow resume}: continues a run that did not finish; see {@link Resumption}. */
@Command(
        name = "resume",
        header = "Continues a run that did not finish, from a savepoint or its latest checkpoint.",
        mixinStandardHelpOptions = true,
        description = {
            "Continues a run that did not finish (the newest one, or RUN) where it stands: locally or on its cluster,"
                    + " from the savepoint of 'stageflow stop', from --savepoint, or from the latest retained checkpoint"
                    + " of its last job (which must have ended: failed, cancelled, or its cluster gone). The run's"
                    + " options apply; --key value overrides them (a secret must be given again)."
        })
final class ResumeCommand extends JobOptionsCommand {

    @Parameters(arity = "0..1", paramLabel = "RUN", description = "a run id (default: the newest unfinished run)")
    String runId;

    @Option(names = "--savepoint", paramLabel = "PATH", description = "restore from this savepoint or checkpoint")
    String savepoint;

    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        return Resumption.resume(dataDir.get(), Optional.ofNullable(runId),
                jobOptions(), Optional.ofNullable(savepoint),
                out());
    }
}

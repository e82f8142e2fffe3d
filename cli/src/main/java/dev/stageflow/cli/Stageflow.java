package dev.stageflow.cli;

import java.io.PrintWriter;
import java.time.Duration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.util.TimeUtils;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * The {@code stageflow} command line: runs the job locally or on a cluster, inspects and reports
 * what a run produced, collects orphans, and starts the local servers a run may want. Exit status:
 * 0 done, 1 failed or refused (the reason on standard error), 2 bad arguments.
 */
@Command(
        name = "stageflow",
        mixinStandardHelpOptions = true,
        versionProvider = Stageflow.Version.class,
        description = "Multi-stage AI content generation as one exactly-once Apache Flink job.",
        subcommands = {
            RunCommand.class,
            SubmitCommand.class,
            ResumeCommand.class,
            StatusCommand.class,
            SavepointCommand.class,
            StopCommand.class,
            CancelCommand.class,
            InspectCommand.class,
            ReportCommand.class,
            GcCommand.class,
            ClusterCommand.class,
            ServersCommand.class,
            ChaosCommand.class,
            AutoComplete.GenerateCompletion.class
        })
public final class Stageflow {

    /** Exit status of a command that failed or refused to act. */
    public static final int FAILED = 1;

    private Stageflow() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: expected failures are one line, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Stageflow());
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        commandLine.registerConverter(Duration.class, TimeUtils::parseDuration);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /** Prints a failure the user can act on as one line; anything else with its stack trace. */
    private static final class FailureHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
            PrintWriter err = commandLine.getErr();
            if (e instanceof IllegalConfigurationException || e instanceof IllegalArgumentException
                    || e instanceof CommandFailedException) {
                err.println(commandLine.getColorScheme().errorText(e.getMessage()));
            } else {
                e.printStackTrace(err);
            }
            err.flush();
            return FAILED;
        }
    }

    /** The project's version, from the jar's manifest when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Stageflow.class.getPackage().getImplementationVersion();
            return new String[] {"stageflow " + (version == null ? "(development build)" : version)};
        }
    }
}

package dev.stageflow.cli;

import dev.stageflow.config.OptionKeys;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * A command that takes job (or Flink) options besides its own, as {@code --key value}: picocli
 * collects what the command's own options leave over, and {@link #jobOptions} reads it.
 */
abstract class JobOptionsCommand implements Callable<Integer> {

    @Unmatched
    List<String> jobArguments = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** The job options given, in order; a later value of a key wins. */
    Map<String, String> jobOptions() {
        return JobOptions.parse(spec.commandLine(), jobArguments);
    }

    /**
     * The job options given to run the job: a key that is neither the job's nor Flink's fails the
     * command before anything starts or is recorded, naming the nearest known key.
     */
    Map<String, String> submittedJobOptions() {
        return checked(jobOptions());
    }

    /** {@code options}, unless one of their keys is neither the job's nor Flink's. */
    static Map<String, String> checked(Map<String, String> options) {
        OptionKeys.check(options.keySet());
        return options;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

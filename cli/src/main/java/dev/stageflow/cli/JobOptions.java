package dev.stageflow.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * The job's own options on a command line, as {@code --key value} (or {@code --key=value}): any
 * option of the job (see the README's reference) or of Flink, e.g. {@code --generator.batch.size 8
 * --rest.port 8082}. A command collects what its own options leave over ({@code @Unmatched}) and
 * reads it here.
 */
final class JobOptions {

    private JobOptions() {}

    /**
     * A command's positional parameters and the job options among which they were given, each in the
     * order given; a later value of a key wins.
     */
    record Split(List<String> positional, Map<String, String> options) {}

    /** The options of {@code arguments}, which must hold nothing else. */
    static Map<String, String> parse(CommandLine commandLine, List<String> arguments) {
        Split split = split(commandLine, arguments);
        if (!split.positional().isEmpty()) {
            throw new ParameterException(commandLine, "Unexpected argument '" + split.positional().get(0)
                    + "': job options are --key value pairs, e.g. --generator.batch.size 8");
        }
        return split.options();
    }

    /**
     * {@code arguments} told apart into positional parameters and job options. A command with
     * positional parameters collects them here with the job options instead of declaring them to
     * picocli: picocli does not know that a job option takes a value, so it would take the value of
     * {@code --redis.uri redis://host:6379} given first for the positional parameter.
     */
    static Split split(CommandLine commandLine, List<String> arguments) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (!argument.startsWith("--") || argument.length() < 3) {
                positional.add(argument);
                continue;
            }
            int equals = argument.indexOf('=');
            if (equals > 0) {
                options.put(argument.substring(2, equals), argument.substring(equals + 1));
            } else if (i + 1 < arguments.size()) {
                options.put(argument.substring(2), arguments.get(++i));
            } else {
                throw new ParameterException(commandLine, "Option " + argument + " needs a value");
            }
        }
        return new Split(positional, options);
    }
}

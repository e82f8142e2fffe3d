package dev.stageflow.cli;

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

    /** The options of {@code arguments}, in the order given; a later value of a key wins. */
    static Map<String, String> parse(CommandLine commandLine, List<String> arguments) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (!argument.startsWith("--") || argument.length() < 3) {
                throw new ParameterException(commandLine, "Unexpected argument '" + argument
                        + "': job options are --key value pairs, e.g. --generator.batch.size 8");
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
        return options;
    }
}

package dev.stageflow.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Runs {@code stageflow} commands in the test JVM, as a user would, capturing what they print. */
public final class CommandLines {

    /**
     * Commands that {@link Stageflow} does not list yet, added here so that their tests run them
     * with its error handling; one that it lists is left as it is.
     */
    private static final List<Supplier<Object>> NOT_YET_LISTED = List.of(ReportCommand::new, InspectCommand::new);

    private CommandLines() {}

    /** Runs {@code stageflow command args...}; returns its exit status. */
    public static int execute(ByteArrayOutputStream out, ByteArrayOutputStream err, String command, String... args) {
        CommandLine commandLine = Stageflow.commandLine();
        for (Supplier<Object> subcommand : NOT_YET_LISTED) {
            Object instance = subcommand.get();
            if (!commandLine.getSubcommands().containsKey(new CommandLine(instance).getCommandName())) {
                commandLine.addSubcommand(instance);
            }
        }
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        List<String> arguments = new ArrayList<>(List.of(command));
        arguments.addAll(List.of(args));
        return commandLine.execute(arguments.toArray(String[]::new));
    }
}

package dev.stageflow.tools.deploy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Dockerfile, as far as the job image's checks need them: continuation
 * lines joined, comments dropped, {@code ${ARG}} references replaced by the ARG's default (a build
 * without --build-arg), and each COPY split into its sources and destination.
 */
final class Dockerfile {

    record Instruction(String keyword, String arguments) {}

    record Copy(List<String> sources, String destination) {}

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final List<Instruction> instructions = new ArrayList<>();
    private final Map<String, String> args = new LinkedHashMap<>();

    Dockerfile(String text) {
        StringBuilder logical = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && logical.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            add(logical.toString().strip());
            logical.setLength(0);
        }
        if (!logical.isEmpty()) {
            add(logical.toString().strip());
        }
    }

    private void add(String line) {
        if (line.isEmpty()) {
            return;
        }
        String[] parts = line.split("\\s+", 2);
        Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? substitute(parts[1]) : "");
        if (instruction.keyword().equals("ARG")) {
            String[] nameAndDefault = instruction.arguments().split("=", 2);
            args.put(nameAndDefault[0], nameAndDefault.length > 1 ? nameAndDefault[1] : "");
        }
        instructions.add(instruction);
    }

    private String substitute(String text) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String value = args.get(matcher.group(1));
            matcher.appendReplacement(result, Matcher.quoteReplacement(value != null ? value : matcher.group()));
        }
        return matcher.appendTail(result).toString();
    }

    List<Instruction> instructions() {
        return instructions;
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The image of the first FROM. */
    String baseImage() {
        return all("FROM").stream().findFirst().map(from -> from.split("\\s+")[0])
                .orElseThrow(() -> new IllegalStateException("No FROM in the Dockerfile"));
    }

    Map<String, String> args() {
        return args;
    }

    /** Every COPY (and ADD) of the build context, without --from copies of other stages. */
    List<Copy> copies() {
        List<Copy> copies = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (!instruction.keyword().equals("COPY") && !instruction.keyword().equals("ADD")) {
                continue;
            }
            List<String> words = new ArrayList<>(Arrays.asList(instruction.arguments().split("\\s+")));
            if (words.stream().anyMatch(word -> word.startsWith("--from="))) {
                continue;
            }
            words.removeIf(word -> word.startsWith("--"));
            copies.add(new Copy(List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1)));
        }
        return copies;
    }

    /** The value of an ENV variable ({@code ENV NAME=value ...}), or null. */
    String env(String name) {
        for (String env : all("ENV")) {
            for (String assignment : env.split("\\s+")) {
                if (assignment.startsWith(name + "=")) {
                    return assignment.substring(name.length() + 1);
                }
            }
        }
        return null;
    }
}

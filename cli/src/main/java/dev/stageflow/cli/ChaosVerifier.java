package dev.stageflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;

/**
 * The data half of {@code stageflow chaos}'s verdict: compares what a run with killed TaskManagers committed and
 * stored with a clean run of the same prompts. Every prompt must be committed exactly once, with
 * artifact references equal to the clean run's (up to the store root), every referenced artifact
 * must read back with valid checksums, and both stores must hold the same artifact files with the
 * same bytes. The other half, the logs, is {@link ChaosLogJudge}'s.
 */
final class ChaosVerifier {

    private static final int MAX_LISTED = 10;

    private final ObjectNode report = Json.MAPPER.createObjectNode();
    private final List<String> violations = new ArrayList<>();

    /** The report, and the violations found (none: passed). */
    record Verification(ObjectNode report, List<String> violations) {}

    private ChaosVerifier() {}

    /** Verifies a chaos run ({@code chaosOut}, {@code chaosStore}) against a clean run of the same prompts. */
    static Verification verify(Path prompts, Path baselineOut, Path baselineStore, Path chaosOut, Path chaosStore)
            throws IOException {
        ChaosVerifier verifier = new ChaosVerifier();
        verifier.check(prompts, baselineOut, baselineStore, chaosOut, chaosStore);
        return new Verification(verifier.report, List.copyOf(verifier.violations));
    }

    private void check(Path prompts, Path baselineOut, Path baselineStore, Path chaosOut, Path chaosStore)
            throws IOException {
        Set<String> expected = promptIds(prompts);
        report.put("prompts", expected.size());
        Map<String, GenerationResult> baseline = exactlyOnce("baseline", expected, baselineOut);
        Map<String, GenerationResult> chaos = exactlyOnce("chaos", expected, chaosOut);
        compareReferences(baseline, baselineStore, chaos, chaosStore);
        verifyReadable(chaos.values(), chaosStore);
        compareStores(baselineStore, chaosStore);
        report.put("passed", violations.isEmpty());
        report.set("violations", Json.MAPPER.valueToTree(violations));
    }

    private static Set<String> promptIds(Path prompts) throws IOException {
        try (Stream<String> lines = Files.lines(prompts, StandardCharsets.UTF_8)) {
            return lines.filter(line -> !line.isBlank())
                    .map(line -> readTree(line).path("promptId").asText())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The run's committed rows by promptId; records duplicates, lost and unexpected prompts. */
    private Map<String, GenerationResult> exactlyOnce(String run, Set<String> expected, Path outputDir) {
        org.apache.flink.core.fs.Path dir = new org.apache.flink.core.fs.Path(outputDir.toUri());
        List<GenerationResult> rows = CommittedOutput.results(dir);
        int deadLetters = CommittedOutput.deadLetters(dir).size();
        Map<String, GenerationResult> byId = new HashMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (GenerationResult row : rows) {
            byId.put(row.promptId, row);
            counts.merge(row.promptId, 1, Integer::sum);
        }
        List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        List<String> lost = expected.stream().filter(id -> !counts.containsKey(id)).toList();
        List<String> unexpected = counts.keySet().stream().filter(id -> !expected.contains(id)).toList();
        ObjectNode node = report.putObject(run);
        node.put("committed", rows.size());
        node.put("distinct", counts.size());
        node.put("duplicates", rows.size() - counts.size());
        node.put("lost", lost.size());
        node.put("unexpected", unexpected.size());
        node.put("deadLetters", deadLetters);
        check(duplicated.isEmpty(), run + ": prompts committed more than once: " + first(duplicated));
        check(lost.isEmpty(), run + ": prompts never committed: " + first(lost));
        check(unexpected.isEmpty(), run + ": committed prompts that were not in the input: " + first(unexpected));
        check(deadLetters == 0, run + ": " + deadLetters + " dead letters for valid prompts");
        return byId;
    }

    /** Each prompt's artifact references in both runs, equal up to the store root. */
    private void compareReferences(Map<String, GenerationResult> baseline, Path baselineStore,
            Map<String, GenerationResult> chaos, Path chaosStore) {
        List<String> differing = new ArrayList<>();
        int compared = 0;
        for (Map.Entry<String, GenerationResult> entry : chaos.entrySet()) {
            GenerationResult clean = baseline.get(entry.getKey());
            if (clean == null) {
                continue;
            }
            compared++;
            if (!references(clean, baselineStore).equals(references(entry.getValue(), chaosStore))) {
                differing.add(entry.getKey());
            }
        }
        report.put("promptsWithEqualReferences", compared - differing.size());
        check(differing.isEmpty(), "artifact references differ from the clean run for " + first(differing));
    }

    private static List<String> references(GenerationResult row, Path storeRoot) {
        List<String> refs = new ArrayList<>();
        for (StageOutcome outcome : new StageOutcome[] {row.encode, row.generate, row.enhance}) {
            if (outcome != null && outcome.artifacts != null) {
                for (ArtifactRef ref : outcome.artifacts) {
                    refs.add(describe(outcome.stage, ref, storeRoot));
                }
            }
        }
        refs.add(describe("final", row.image, storeRoot));
        return refs;
    }

    private static String describe(String stage, ArtifactRef ref, Path storeRoot) {
        String relative = storeRoot.toAbsolutePath().relativize(Path.of(URI.create(ref.uri))).toString();
        return String.join(" ", stage, ref.name, relative, ref.sha256, Long.toString(ref.rawSize),
                Long.toString(ref.storedSize), ref.codec, Integer.toString(ref.chunks), ref.mediaType);
    }

    /** Every artifact the chaos run references reads back with valid chunk and whole checksums. */
    private void verifyReadable(Iterable<GenerationResult> rows, Path store) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.URI, store.toUri().toString());
        long artifacts = 0;
        List<String> unreadable = new ArrayList<>();
        try (ArtifactStore artifactStore = new ArtifactStore(StoreSettings.from(conf))) {
            for (GenerationResult row : rows) {
                for (StageOutcome outcome : new StageOutcome[] {row.generate, row.enhance}) {
                    for (ArtifactRef ref : outcome.artifacts) {
                        artifacts++;
                        try {
                            artifactStore.read(ref);
                        } catch (RuntimeException e) {
                            unreadable.add(row.promptId + " " + ref.name + ": " + e.getMessage());
                        }
                    }
                }
            }
        }
        report.put("referencedArtifactsVerified", artifacts - unreadable.size());
        check(unreadable.isEmpty(), "artifacts that fail verification: " + first(unreadable));
    }

    /** Both stores hold the same artifact files with the same bytes (dot files are temporary). */
    private void compareStores(Path baselineStore, Path chaosStore) throws IOException {
        Map<Boolean, List<String>> baselineFiles = files(baselineStore);
        Map<Boolean, List<String>> chaosFiles = files(chaosStore);
        Set<String> only = new TreeSet<>(baselineFiles.get(false));
        chaosFiles.get(false).forEach(only::remove);
        Set<String> extra = new TreeSet<>(chaosFiles.get(false));
        baselineFiles.get(false).forEach(extra::remove);
        List<String> differing = new ArrayList<>();
        long bytes = 0;
        for (String file : chaosFiles.get(false)) {
            if (!only.contains(file) && !extra.contains(file)) {
                Path a = baselineStore.resolve(file);
                Path b = chaosStore.resolve(file);
                bytes += Files.size(b);
                if (Files.mismatch(a, b) != -1) {
                    differing.add(file);
                }
            }
        }
        long manifests = chaosFiles.get(false).stream().filter(f -> f.endsWith("/manifest.json")).count();
        ObjectNode node = report.putObject("store");
        node.put("artifacts", manifests);
        node.put("files", chaosFiles.get(false).size());
        node.put("bytesCompared", bytes);
        node.put("missingInChaosRun", only.size());
        node.put("extraInChaosRun", extra.size());
        node.put("differingFiles", differing.size());
        node.put("leftoverTemporaryFiles", chaosFiles.get(true).size());
        node.put("byteIdentical", only.isEmpty() && extra.isEmpty() && differing.isEmpty());
        check(only.isEmpty(), "files of the clean run missing in the chaos run's store: " + first(List.copyOf(only)));
        check(extra.isEmpty(), "files in the chaos run's store that the clean run does not have: " + first(List.copyOf(extra)));
        check(differing.isEmpty(), "files whose bytes differ from the clean run's: " + first(differing));
    }

    /** Relative paths of the regular files below {@code root}, split by whether a path part starts with a dot. */
    private static Map<Boolean, List<String>> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(file -> root.relativize(file).toString())
                    .sorted()
                    .collect(Collectors.partitioningBy(ChaosVerifier::isTemporary));
        }
    }

    private static boolean isTemporary(String relative) {
        for (Path part : Path.of(relative)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private void check(boolean ok, String violation) {
        if (!ok) {
            violations.add(violation);
        }
    }

    private static String first(List<String> items) {
        return items.size() + " " + items.subList(0, Math.min(MAX_LISTED, items.size())) + (items.size() > MAX_LISTED ? " ..." : "");
    }

    private static JsonNode readTree(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("Not a JSON prompt line: " + line, e);
        }
    }
}

package dev.stageflow.cli;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.gc.GcOptions;
import dev.stageflow.gc.GcRefusedException;
import dev.stageflow.gc.OrphanCollector.Deletion;
import dev.stageflow.gc.OrphanCollector.Plan;
import dev.stageflow.gc.OrphanCollector;
import dev.stageflow.gc.StoredArtifact;
import dev.stageflow.store.StoreSettings;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code stageflow gc}: lists the orphaned artifacts of the store roots (dry run) or deletes them
 * ({@code --delete}); see {@link OrphanCollector} for what counts as an orphan and why gc refuses
 * to run on an incomplete view of the committed results. Exit status: 0 done, 1 refused or some
 * deletions failed, 2 bad arguments.
 */
@Command(
        name = "gc",
        header = "Lists or deletes the orphaned artifacts of the store.",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the orphaned artifacts of the store roots (a dry run), or deletes them with --delete.",
            "Give the jobs' own options: --store.uri (and --store.generate.uri / --store.enhance.uri if they"
                    + " set them), s3.* options for s3:// roots."
        })
final class GcCommand extends JobOptionsCommand {

    private static final List<ConfigOption<String>> ROOT_OPTIONS =
            List.of(StoreOptions.URI, StoreOptions.GENERATE_URI, StoreOptions.ENHANCE_URI);

    @Option(names = "--output.dir", paramLabel = "DIR",
            description = "output.dir of a job writing into the store roots, besides those the roots record (every"
                    + " job records itself as a writer of the roots it writes into); repeatable")
    List<String> outputDirs = new ArrayList<>();

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "never touch artifacts written within this time (gc.grace, default 24 h), e.g. 0, 30 min, 7 d")
    String grace;

    @Option(names = "--delete", description = "delete the orphans (default: a dry run that only lists them)")
    boolean delete;

    @Override
    public Integer call() {
        Configuration conf = Configurations.load(jobOptions());
        if (grace != null) {
            conf.setString(GcOptions.GRACE.key(), grace);
        }
        Configurations.initializeFileSystems(conf);
        List<Path> roots = storeRoots(conf);
        List<Path> outputs = outputDirs(conf);
        Duration gracePeriod = conf.get(GcOptions.GRACE);
        OrphanCollector collector = new OrphanCollector(roots, outputs, gracePeriod, Clock.systemUTC());
        PrintWriter out = out();
        out.printf("Store roots: %s%nGrace period: %s%n", joined(roots), TimeUtils.formatWithHighestUnit(gracePeriod));
        try {
            Plan plan = collector.plan();
            out.printf("Committed results of: %s%n", joined(plan.writers()));
            print(plan, out);
            return delete ? delete(collector, plan, out, spec.commandLine().getErr()) : dryRun(plan, out);
        } catch (GcRefusedException e) {
            throw new CommandFailedException("gc refused to run, nothing was deleted: " + e.getMessage(), e);
        }
    }

    private List<Path> storeRoots(Configuration conf) {
        List<Path> roots = ROOT_OPTIONS.stream()
                .filter(option -> conf.getOptional(option).isPresent())
                .map(option -> new Path(StoreSettings.from(conf, option).root))
                .distinct()
                .toList();
        if (roots.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "No store root: give " + StoreOptions.URI.key() + " (and "
                    + StoreOptions.GENERATE_URI.key() + " / " + StoreOptions.ENHANCE_URI.key() + " if the jobs set them)");
        }
        return roots;
    }

    private List<Path> outputDirs(Configuration conf) {
        List<String> dirs = outputDirs.isEmpty() ? conf.getOptional(GcOptions.OUTPUT_DIRS).orElse(List.of()) : outputDirs;
        return dirs.stream().map(dir -> new Path(Locations.asUri(dir))).distinct().toList();
    }

    private static void print(Plan plan, PrintWriter out) {
        out.printf("%d result rows; %d artifacts referenced, %d written within the grace period, %d orphans%n",
                plan.resultRows(), plan.referenced(), plan.young(), plan.orphans().size());
        if (!plan.uncommittedResultFiles().isEmpty()) {
            out.printf("Note: %d uncommitted result files (in progress or pending), e.g. %s: a job is running or"
                    + " was stopped before committing them; their artifacts are protected by the grace period only.%n",
                    plan.uncommittedResultFiles().size(), plan.uncommittedResultFiles().get(0));
        }
        if (plan.foreignEntries() > 0) {
            out.printf("Left alone: %d entries below the store roots that are not artifact directories.%n",
                    plan.foreignEntries());
        }
    }

    private static int dryRun(Plan plan, PrintWriter out) {
        Instant now = Instant.now();
        plan.orphans().forEach(orphan -> out.println("orphan   " + describe(orphan, now)));
        out.printf("Dry run, nothing deleted: %d orphans, %s. Add --delete to delete them.%n",
                plan.orphans().size(), Formats.size(totalBytes(plan.orphans().stream())));
        return 0;
    }

    private static int delete(OrphanCollector collector, Plan plan, PrintWriter out, PrintWriter err) {
        Instant now = Instant.now();
        List<Deletion> deletions = collector.delete(plan);
        for (Deletion deletion : deletions) {
            if (deletion.deleted()) {
                out.println("deleted  " + describe(deletion.orphan(), now));
            } else {
                err.println("not deleted " + deletion.orphan().directory() + ": " + deletion.failure().orElseThrow());
            }
        }
        List<StoredArtifact> deleted = deletions.stream().filter(Deletion::deleted).map(Deletion::orphan).toList();
        long failed = deletions.size() - deleted.size();
        out.printf("Deleted %d orphans, %s%s.%n", deleted.size(), Formats.size(totalBytes(deleted.stream())),
                failed == 0 ? "" : "; " + failed + " not deleted");
        return failed == 0 ? 0 : Stageflow.FAILED;
    }

    private static String describe(StoredArtifact artifact, Instant now) {
        return String.format(Locale.ROOT, "%s  %s  age %s  %s%s", artifact.directory(), Formats.size(artifact.bytes()),
                Formats.age(Duration.between(artifact.lastModified(), now)), artifact.location().kind(),
                artifact.complete() ? "" : "  incomplete (no manifest)");
    }

    private static String joined(List<Path> paths) {
        return String.join(", ", paths.stream().map(Path::toString).toList());
    }

    private static long totalBytes(Stream<StoredArtifact> artifacts) {
        return artifacts.mapToLong(StoredArtifact::bytes).sum();
    }
}

package dev.stageflow.cli;

import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.gc.GcOptions;
import dev.stageflow.gc.GcRefusedException;
import dev.stageflow.gc.OrphanCollector.Deletion;
import dev.stageflow.gc.OrphanCollector.Plan;
import dev.stageflow.gc.OrphanCollector;
import dev.stageflow.gc.StoredArtifact;
import dev.stageflow.store.StoreSettings;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.util.MultipleParameterTool;
import org.apache.flink.util.TimeUtils;

/**
 * {@code scripts/gc.sh}: lists the orphaned artifacts of the store roots (dry run) or deletes them
 * ({@code --delete}); see {@link OrphanCollector} for what counts as an orphan and why gc refuses
 * to run on an incomplete view of the committed results. Exit status: 0 done, 1 refused or some
 * deletions failed, 2 bad arguments.
 */
public final class GcCommand {

    private static final String USAGE = String.join("\n",
            "Usage: scripts/gc.sh --output.dir DIR [--output.dir DIR ...] --store.uri URI",
            "                     [--store.generate.uri URI] [--store.enhance.uri URI]",
            "                     [--grace DURATION] [--delete] [--key value ...]",
            "  --output.dir DIR   output.dir of a job writing into the store roots; list every such job",
            "  --store.uri URI    the store roots, as given to the jobs; each of store.uri,",
            "                     store.generate.uri and store.enhance.uri is scanned",
            "  --grace DURATION   never touch artifacts written within this time (gc.grace, default 24 h),",
            "                     e.g. 0, 30 min, 7 d",
            "  --delete           delete the orphans (default: a dry run that only lists them)",
            "  --key value        any other option, e.g. --s3.endpoint URL for an s3:// root");

    private static final String DELETE = "delete";
    private static final String GRACE = "grace";
    /** What the parameter tool stores for a flag without value (its own constant is protected). */
    private static final String FLAG_WITHOUT_VALUE = "__NO_VALUE_KEY";

    private static final List<ConfigOption<String>> ROOT_OPTIONS =
            List.of(StoreOptions.URI, StoreOptions.GENERATE_URI, StoreOptions.ENHANCE_URI);

    private GcCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs gc with {@code args}, reporting to {@code out} and errors to {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean delete;
        OrphanCollector collector;
        try {
            MultipleParameterTool params = MultipleParameterTool.fromArgs(args);
            if (params.has("help")) {
                out.println(USAGE);
                return 0;
            }
            delete = deleteFlag(params);
            Configuration conf = configuration(params);
            // Passes s3.* and other file system options to the file systems, and loads the s3
            // plugin from FLINK_PLUGINS_DIR, as a MiniCluster or TaskManager does.
            FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
            List<Path> roots = storeRoots(conf);
            List<Path> outputDirs = outputDirs(params, conf);
            Duration grace = conf.get(GcOptions.GRACE);
            collector = new OrphanCollector(roots, outputDirs, grace, Clock.systemUTC());
            out.printf("Store roots: %s%nCommitted results of: %s%nGrace period: %s%n", joined(roots),
                    joined(outputDirs), TimeUtils.formatWithHighestUnit(grace));
        } catch (IllegalArgumentException | IllegalConfigurationException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        try {
            Plan plan = collector.plan();
            print(plan, out);
            return delete ? delete(collector, plan, out, err) : dryRun(plan, out);
        } catch (GcRefusedException e) {
            err.println("gc refused to run, nothing was deleted: " + e.getMessage());
            return 1;
        }
    }

    /** {@code --delete} alone or {@code --delete true}; anything else but {@code false} is a mistake. */
    private static boolean deleteFlag(MultipleParameterTool params) {
        if (!params.has(DELETE)) {
            return false;
        }
        String value = params.get(DELETE);
        if (value.equals(FLAG_WITHOUT_VALUE) || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("--delete takes no value (or true/false), got '" + value + "'");
    }

    /**
     * The configuration of {@code stageflow.conf.dir} (set by the scripts) or {@code FLINK_CONF_DIR},
     * with the {@code --key value} arguments on top, as the job reads them.
     */
    private static Configuration configuration(MultipleParameterTool params) {
        Optional<String> confDir = Optional.ofNullable(System.getProperty("stageflow.conf.dir"))
                .or(() -> Optional.ofNullable(System.getenv("FLINK_CONF_DIR")));
        Configuration conf = confDir.map(GlobalConfiguration::loadConfiguration).orElseGet(Configuration::new);
        params.toMap().forEach((key, value) -> {
            if (!key.equals(DELETE) && !key.equals(SinkOptions.OUTPUT_DIR.key())) {
                conf.setString(key.equals(GRACE) ? GcOptions.GRACE.key() : key, value);
            }
        });
        return conf;
    }

    private static List<Path> storeRoots(Configuration conf) {
        List<Path> roots = ROOT_OPTIONS.stream()
                .filter(option -> conf.getOptional(option).isPresent())
                .map(option -> new Path(StoreSettings.from(conf, option).root))
                .distinct()
                .toList();
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("No store root: give " + StoreOptions.URI.key() + " (and "
                    + StoreOptions.GENERATE_URI.key() + " / " + StoreOptions.ENHANCE_URI.key() + " if the jobs set them)");
        }
        return roots;
    }

    private static List<Path> outputDirs(MultipleParameterTool params, Configuration conf) {
        List<String> dirs = params.has(SinkOptions.OUTPUT_DIR.key())
                ? List.copyOf(params.getMultiParameterRequired(SinkOptions.OUTPUT_DIR.key()))
                : conf.getOptional(GcOptions.OUTPUT_DIRS).orElse(List.of());
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("No --output.dir: give the output.dir of every job that writes into"
                    + " the store roots; only their committed results protect artifacts");
        }
        return dirs.stream().map(GcCommand::asPath).distinct().toList();
    }

    /** A URI as it is; a bare local path made absolute, so messages say which directory was read. */
    private static Path asPath(String dir) {
        return new Path(dir.contains(":/") ? dir : Paths.get(dir).toAbsolutePath().normalize().toUri().toString());
    }

    private static void print(Plan plan, PrintStream out) {
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

    private static int dryRun(Plan plan, PrintStream out) {
        Instant now = Instant.now();
        plan.orphans().forEach(orphan -> out.println("orphan   " + describe(orphan, now)));
        out.printf("Dry run, nothing deleted: %d orphans, %s. Add --delete to delete them.%n",
                plan.orphans().size(), size(totalBytes(plan.orphans().stream())));
        return 0;
    }

    private static int delete(OrphanCollector collector, Plan plan, PrintStream out, PrintStream err) {
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
        out.printf("Deleted %d orphans, %s%s.%n", deleted.size(), size(totalBytes(deleted.stream())),
                failed == 0 ? "" : "; " + failed + " not deleted");
        return failed == 0 ? 0 : 1;
    }

    private static String describe(StoredArtifact artifact, Instant now) {
        return String.format(Locale.ROOT, "%s  %s  age %s  %s%s", artifact.directory(), size(artifact.bytes()),
                age(Duration.between(artifact.lastModified(), now)), artifact.location().kind(),
                artifact.complete() ? "" : "  incomplete (no manifest)");
    }

    private static String joined(List<Path> paths) {
        return String.join(", ", paths.stream().map(Path::toString).toList());
    }

    private static long totalBytes(Stream<StoredArtifact> artifacts) {
        return artifacts.mapToLong(StoredArtifact::bytes).sum();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String age(Duration age) {
        Duration positive = age.isNegative() ? Duration.ZERO : age;
        if (positive.toDays() > 0) {
            return positive.toDays() + " d " + positive.toHoursPart() + " h";
        }
        if (positive.toHours() > 0) {
            return positive.toHours() + " h " + positive.toMinutesPart() + " min";
        }
        if (positive.toMinutes() > 0) {
            return positive.toMinutes() + " min " + positive.toSecondsPart() + " s";
        }
        return positive.toSeconds() + " s";
    }
}

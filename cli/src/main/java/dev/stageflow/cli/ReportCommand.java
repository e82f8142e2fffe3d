package dev.stageflow.cli;

import dev.stageflow.cli.report.ReportPage;
import dev.stageflow.store.ArtifactStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code stageflow report}: writes {@code report.html} into a run's output directory, a page that
 * shows what the run committed (see {@link ReportPage}) and opens in a browser without a server.
 * Exit status: 0 written, 1 not a run's output or not writable, 2 bad arguments.
 */
@Command(
        name = "report",
        header = "Writes an HTML gallery of what a run committed.",
        mixinStandardHelpOptions = true,
        description = {
            "Writes report.html into a run's output directory (the newest run's, --run's, or --out DIR): a"
                    + " self-contained HTML gallery of what the run committed: its figures, each prompt with its"
                    + " generated and enhanced image, its dead letters.",
            "Images are read from wherever their references point; give s3.* options for s3:// stores."
        })
final class ReportCommand extends JobOptionsCommand {

    static final String FILE_NAME = "report.html";

    @Mixin
    RunSelection selection;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "500",
            description = "show at most N prompts (the first by promptId) and N dead letters; the figures count"
                    + " every row (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        Configuration conf = Configurations.load(
                selection.options(jobOptions(), spec.commandLine().getErr()));
        Configurations.initializeFileSystems(conf);
        RunOutput run = RunOutput.read(selection.outputDir());
        Path report = new Path(new Path(run.dir()), FILE_NAME);
        try (ArtifactStore store = run.artifactReader(conf);
                OutputStream file = report.getFileSystem().create(report, WriteMode.OVERWRITE)) {
            // Closing the file, not the writer, ends the write: a failed close (an object store's
            // upload) is then an IOException with its cause, which the writer would swallow.
            PrintWriter page =
                    new PrintWriter(new BufferedWriter(new OutputStreamWriter(file, StandardCharsets.UTF_8)));
            ReportPage.write(page, store, run.dir(), run.results(), run.deadLetters(), limit);
            page.flush();
            if (page.checkError()) {
                throw new CommandFailedException("Cannot write " + report + ": writing to it failed");
            }
        } catch (IOException e) {
            throw new CommandFailedException("Cannot write " + report + ": " + e.getMessage(), e);
        }
        out().println(Locations.display(report.toUri()));
        return 0;
    }
}

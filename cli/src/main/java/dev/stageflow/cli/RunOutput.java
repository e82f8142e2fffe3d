package dev.stageflow.cli;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.store.ArtifactStore;
import dev.stageflow.store.StoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

/**
 * What a run committed under its {@code output.dir}, as the commands that look at a finished or
 * running run read it (only committed part files count, see {@link CommittedOutput}).
 */
record RunOutput(URI dir, List<GenerationResult> results, List<DeadLetter> deadLetters) {

    /** The committed output of {@code outputDir} (a path or URI); fails if it is not a run's output. */
    static RunOutput read(String outputDir) {
        URI uri = Locations.asUri(outputDir);
        Path dir = new Path(uri);
        if (!exists(new Path(dir, CommittedOutput.RESULTS)) && !exists(new Path(dir, CommittedOutput.DEAD_LETTERS))) {
            throw new CommandFailedException(uri + " is not the output.dir of a run: it holds neither "
                    + CommittedOutput.RESULTS + "/ nor " + CommittedOutput.DEAD_LETTERS + "/");
        }
        try {
            return new RunOutput(uri, CommittedOutput.results(dir), CommittedOutput.deadLetters(dir));
        } catch (UncheckedIOException e) {
            throw new CommandFailedException("Cannot read the committed output of " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * A store to read this run's artifacts with. A read follows the artifact reference's own URI,
     * so the store root only matters to writes, which these commands never do: without {@code
     * store.uri} in {@code conf} the run's directory serves as the root.
     */
    ArtifactStore artifactReader(Configuration conf) {
        Configuration withRoot = new Configuration(conf);
        if (!withRoot.contains(StoreOptions.URI)) {
            withRoot.set(StoreOptions.URI, dir.toString());
        }
        return new ArtifactStore(StoreSettings.from(withRoot));
    }

    private static boolean exists(Path path) {
        try {
            return path.getFileSystem().exists(path);
        } catch (IOException e) {
            throw new CommandFailedException("Cannot look at " + path + ": " + e.getMessage(), e);
        }
    }
}

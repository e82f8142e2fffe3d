package dev.stageflow.source;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.model.InputLine;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/**
 * JSON-lines prompt files as a {@link FileSource} of {@link InputLine}s: bounded over what exists at start, or, with
 * {@code source.follow}, continuously picking up new files. Split positions are in the checkpoint,
 * so a restored job continues where it stopped.
 */
public final class PromptFileSource {

    private PromptFileSource() {}

    public static FileSource<InputLine> from(Configuration conf) {
        String prompts = conf.getOptional(SourceOptions.PROMPTS)
                .orElseThrow(() -> new IllegalConfigurationException(
                        "Option " + SourceOptions.PROMPTS.key() + " is required: a JSON-lines file or directory"));
        FileSource.FileSourceBuilder<InputLine> builder = FileSource.forRecordStreamFormat(
                new PromptLineFormat(conf.get(RequestOptions.MAX_LINE_BYTES)), new Path(prompts));
        if (conf.get(SourceOptions.FOLLOW)) {
            builder.monitorContinuously(conf.get(SourceOptions.MONITOR_INTERVAL));
        }
        return builder.build();
    }
}

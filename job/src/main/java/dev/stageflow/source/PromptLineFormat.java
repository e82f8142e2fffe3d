package dev.stageflow.source;

import dev.stageflow.model.InputLine;
import java.io.BufferedInputStream;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Prompt files as {@link InputLine}s, read by {@link LineReader} with the request line limit.
 * Like Flink's {@code TextLineInputFormat} a file is one split and a restored reader skips the
 * lines already emitted; unlike it, no line is decoded or held whole beyond the limit.
 */
public final class PromptLineFormat extends SimpleStreamFormat<InputLine> {

    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;

    public PromptLineFormat(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public StreamFormat.Reader<InputLine> createReader(Configuration config, FSDataInputStream stream) {
        LineReader lines = new LineReader(new BufferedInputStream(stream, 64 * 1024), maxLineBytes);
        return new StreamFormat.Reader<>() {
            @Override
            public InputLine read() throws IOException {
                return lines.next();
            }

            @Override
            public void close() throws IOException {
                stream.close();
            }
        };
    }

    @Override
    public TypeInformation<InputLine> getProducedType() {
        return TypeInformation.of(InputLine.class);
    }
}

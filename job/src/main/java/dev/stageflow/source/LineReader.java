package dev.stageflow.source;

import dev.stageflow.model.InputLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into {@link InputLine}s at {@code \n} (a {@code \r} before it is dropped),
 * holding at most {@code maxBytes} of any line: the rest of an overlong line is counted and
 * skipped, never buffered. Bytes are not decoded here, so invalid UTF-8 reaches parse-validate as
 * it is and gets its dead letter there. The job's file source and the local run's count of what
 * to expect both read with this class, so they agree on what a line is.
 */
public final class LineReader {

    private final InputStream in;
    private final int maxBytes;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();

    /** {@code in} should be buffered: it is read a byte at a time. */
    public LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line, or null at the end of the stream. */
    public InputLine next() throws IOException {
        head.reset();
        long length = 0;
        boolean carriageReturn = false;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (carriageReturn) {
                append((byte) '\r', length++);
            }
            carriageReturn = b == '\r';
            if (!carriageReturn) {
                append((byte) b, length++);
            }
        }
        if (b == -1 && length == 0 && !carriageReturn) {
            return null;
        }
        return new InputLine(head.toByteArray(), length);
    }

    private void append(byte b, long position) {
        if (position < maxBytes) {
            head.write(b);
        }
    }
}

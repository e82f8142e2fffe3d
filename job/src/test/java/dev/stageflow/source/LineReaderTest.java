package dev.stageflow.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.InputLine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    @Test
    void splitsAtNewlinesDroppingACarriageReturnBeforeThem() throws IOException {
        assertThat(read("a\nbc\r\n\nd\re\n", 100)).containsExactly(
                InputLine.of("a"), InputLine.of("bc"), InputLine.of(""), InputLine.of("d\re"));
    }

    @Test
    void aLastLineWithoutNewlineIsALineAndAnEmptyStreamHasNone() throws IOException {
        assertThat(read("a\nlast", 100)).containsExactly(InputLine.of("a"), InputLine.of("last"));
        assertThat(read("", 100)).isEmpty();
        assertThat(read("a\n", 100)).containsExactly(InputLine.of("a"));
    }

    @Test
    void keepsOnlyTheHeadOfAnOverlongLineButCountsAllOfIt() throws IOException {
        List<InputLine> lines = read("0123456789\r\nok\n", 4);

        assertThat(lines).containsExactly(new InputLine("0123".getBytes(StandardCharsets.US_ASCII), 10), InputLine.of("ok"));
        assertThat(lines.get(0).isTruncated()).isTrue();
    }

    @Test
    void passesBytesThatAreNotUtf8OnUndecoded() throws IOException {
        byte[] bytes = {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'};

        List<InputLine> lines = read(bytes, 100);

        assertThat(lines).containsExactly(new InputLine(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, 4));
    }

    private static List<InputLine> read(String text, int maxBytes) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8), maxBytes);
    }

    private static List<InputLine> read(byte[] bytes, int maxBytes) throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream(bytes), maxBytes);
        List<InputLine> lines = new ArrayList<>();
        for (InputLine line = reader.next(); line != null; line = reader.next()) {
            lines.add(line);
        }
        return lines;
    }
}

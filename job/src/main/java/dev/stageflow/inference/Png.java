package dev.stageflow.inference;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;

/**
 * PNG encoding and decoding of {@link RgbImage}s without {@code ImageIO} on the hot path: 8-bit
 * truecolour, one IDAT chunk, every row filtered with the Up filter (the difference to the row
 * above) and deflated at {@link #DEFLATE_LEVEL}.
 *
 * <p>On the examples' generated and enhanced images, choosing each row's filter by libpng's
 * heuristic (the smallest sum of absolute values of five candidates) made files only about 3 %
 * smaller and took longer than the deflating itself; Up costs one subtraction per byte.
 *
 * <p>The encoding is deterministic: the same pixels give the same bytes (for one zlib build, as
 * with any deflate encoder). Decoding reads the 8-bit, non-interlaced truecolour images (with or
 * without alpha) that this encoder and most tools write, and leaves every other PNG (greyscale,
 * palettes, 16 bits, interlacing) to {@code ImageIO}.
 */
final class Png {

    /**
     * Deflate level of the image data. Levels 2 to 6 made the examples' images 4 to 16 % smaller
     * than level 1 at up to four times its time; {@code ImageIO}'s encoder made them twice as large
     * as level 1 does here.
     */
    static final int DEFLATE_LEVEL = 1;

    private static final byte FILTER_UP = 2;

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int TRUECOLOUR = 2;
    private static final int MAX_SIDE = 1 << 15;

    private Png() {}

    static byte[] encode(int width, int height, float[] planes) {
        return encode(width, height, planes, DEFLATE_LEVEL);
    }

    /** {@code level}: the deflate level of the image data, 0 to 9. */
    static byte[] encode(int width, int height, float[] planes, int level) {
        int stride = 3 * width;
        byte[] previous = new byte[stride];
        byte[] row = new byte[stride];
        byte[] filtered = new byte[1 + stride];
        filtered[0] = FILTER_UP;
        Deflater deflater = new Deflater(level);
        ByteArrayOutputStream out = new ByteArrayOutputStream(stride * height / 2 + 64);
        try {
            writeSignatureAndHeader(out, width, height);
            ChunkWriter idat = new ChunkWriter(out, "IDAT", Math.max(8192, stride * height / 2));
            int plane = width * height;
            for (int y = 0; y < height; y++) {
                int offset = y * width;
                for (int x = 0, i = 0; x < width; x++, i += 3) {
                    row[i] = (byte) to8Bit(planes[offset + x]);
                    row[i + 1] = (byte) to8Bit(planes[plane + offset + x]);
                    row[i + 2] = (byte) to8Bit(planes[2 * plane + offset + x]);
                }
                for (int i = 0; i < stride; i++) {
                    filtered[i + 1] = (byte) (row[i] - previous[i]);
                }
                deflater.setInput(filtered);
                idat.drain(deflater);
                byte[] swap = previous;
                previous = row;
                row = swap;
            }
            deflater.finish();
            idat.drain(deflater);
            idat.close();
            writeChunk(out, "IEND", new byte[0], 0);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    static RgbImage decode(byte[] png) {
        RgbImage image = decodeSimple(png);
        return image != null ? image : decodeWithImageIo(png);
    }

    private static int paethPredictor(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static void writeSignatureAndHeader(ByteArrayOutputStream out, int width, int height) {
        out.writeBytes(SIGNATURE);
        byte[] header = ByteBuffer.allocate(13)
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) TRUECOLOUR)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .array();
        writeChunk(out, "IHDR", header, header.length);
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data, 0, length);
        writeInt(out, length);
        out.writeBytes(typeBytes);
        out.write(data, 0, length);
        writeInt(out, (int) crc.getValue());
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    /** Collects deflated bytes and writes them as one chunk when closed. */
    private static final class ChunkWriter {
        private final ByteArrayOutputStream out;
        private final String type;
        private byte[] data;
        private int length;

        ChunkWriter(ByteArrayOutputStream out, String type, int initialCapacity) {
            this.out = out;
            this.type = type;
            this.data = new byte[initialCapacity];
        }

        void drain(Deflater deflater) {
            while (true) {
                if (length == data.length) {
                    data = Arrays.copyOf(data, data.length * 2);
                }
                int n = deflater.deflate(data, length, data.length - length);
                length += n;
                if (n == 0 && (deflater.needsInput() || deflater.finished())) {
                    return;
                }
            }
        }

        void close() {
            writeChunk(out, type, data, length);
        }
    }

    /**
     * Decodes an 8-bit, non-interlaced truecolour PNG, with or without alpha (alpha is dropped, as
     * {@code ImageIO}'s RGB view drops it); null for any other PNG, so {@code ImageIO} reads it
     * (greyscale among them: its RGB view converts grey through colour spaces).
     */
    private static RgbImage decodeSimple(byte[] png) {
        if (png.length < SIGNATURE.length + 25 || !startsWithSignature(png)) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(SIGNATURE.length);
        int width = 0;
        int height = 0;
        int channels = 0;
        Inflater inflater = null;
        byte[] raw = null;
        int filled = 0;
        try {
            while (in.remaining() >= 12) {
                int length = in.getInt();
                int type = in.getInt();
                if (length < 0 || length > in.remaining() - 4) {
                    throw new IllegalArgumentException("Truncated PNG chunk (" + png.length + " bytes)");
                }
                int start = in.position();
                if (type == 0x49484452) { // IHDR
                    if (length != 13) {
                        return null;
                    }
                    width = in.getInt(start);
                    height = in.getInt(start + 4);
                    int bitDepth = png[start + 8];
                    int colourType = png[start + 9];
                    int interlace = png[start + 12];
                    channels = switch (colourType) {
                        case 2 -> 3;
                        case 6 -> 4;
                        default -> 0;
                    };
                    if (bitDepth != 8 || channels == 0 || interlace != 0 || width <= 0 || height <= 0
                            || width > MAX_SIDE || height > MAX_SIDE) {
                        return null;
                    }
                    raw = new byte[height * (1 + width * channels)];
                    inflater = new Inflater();
                } else if (type == 0x49444154) { // IDAT
                    if (inflater == null) {
                        return null;
                    }
                    inflater.setInput(png, start, length);
                    while (!inflater.needsInput() && !inflater.finished() && filled < raw.length) {
                        int n = inflater.inflate(raw, filled, raw.length - filled);
                        filled += n;
                        if (n == 0 && inflater.needsDictionary()) {
                            return null;
                        }
                    }
                } else if (type == 0x49454E44) { // IEND
                    break;
                }
                in.position(start + length + 4);
            }
            if (raw == null || filled != raw.length) {
                throw new IllegalArgumentException(
                        "Truncated PNG image data (" + filled + " of " + (raw == null ? 0 : raw.length) + " bytes)");
            }
            return unfilter(raw, width, height, channels);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("Corrupt PNG image data: " + e.getMessage(), e);
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    private static RgbImage unfilter(byte[] raw, int width, int height, int channels) {
        int stride = width * channels;
        int plane = width * height;
        float[] planes = new float[3 * plane];
        byte[] row = new byte[stride];
        byte[] previous = new byte[stride];
        for (int y = 0; y < height; y++) {
            int base = y * (stride + 1);
            int filter = raw[base];
            for (int i = 0; i < stride; i++) {
                int x = raw[base + 1 + i] & 0xFF;
                int a = i >= channels ? row[i - channels] & 0xFF : 0;
                int b = previous[i] & 0xFF;
                int c = i >= channels ? previous[i - channels] & 0xFF : 0;
                row[i] = (byte) switch (filter) {
                    case 0 -> x;
                    case 1 -> x + a;
                    case 2 -> x + b;
                    case 3 -> x + ((a + b) >>> 1);
                    case 4 -> x + paethPredictor(a, b, c);
                    default -> throw new IllegalArgumentException("Unknown PNG filter " + filter + " in row " + y);
                };
            }
            int offset = y * width;
            for (int x = 0; x < width; x++) {
                int i = x * channels;
                planes[offset + x] = (row[i] & 0xFF) / 255f;
                planes[plane + offset + x] = (row[i + 1] & 0xFF) / 255f;
                planes[2 * plane + offset + x] = (row[i + 2] & 0xFF) / 255f;
            }
            byte[] swap = previous;
            previous = row;
            row = swap;
        }
        return new RgbImage(width, height, planes);
    }

    private static boolean startsWithSignature(byte[] png) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (png[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static RgbImage decodeWithImageIo(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot decode PNG", e);
        }
        if (image == null) {
            throw new IllegalArgumentException("Not a PNG image (" + png.length + " bytes)");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
        float[] planes = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            planes[i] = ((rgb[i] >> 16) & 0xFF) / 255f;
            planes[plane + i] = ((rgb[i] >> 8) & 0xFF) / 255f;
            planes[2 * plane + i] = (rgb[i] & 0xFF) / 255f;
        }
        return new RgbImage(width, height, planes);
    }

    private static int to8Bit(float value) {
        return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
    }
}

package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {

    private static final int[][] SIZES = {{1, 1}, {1, 7}, {7, 1}, {3, 5}, {64, 64}, {129, 67}};

    @Test
    void anyImageReadsBackToTheSameEightBitPixelsWithOurDecoderAndWithImageIo() throws IOException {
        Random random = new Random(7);
        for (int[] size : SIZES) {
            for (RgbImage image : new RgbImage[] {noise(size[0], size[1], random), gradient(size[0], size[1])}) {
                byte[] png = image.toPng();
                int[] expected = eightBit(image);

                assertThat(eightBit(RgbImage.fromPng(png))).as("our decoder, %dx%d", size[0], size[1]).isEqualTo(expected);
                BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
                assertThat(decoded.getRGB(0, 0, size[0], size[1], null, 0, size[0]))
                        .as("ImageIO, %dx%d", size[0], size[1])
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void everyRowIsUpFiltered() {
        RgbImage image = gradient(96, 40);
        byte[] raw = inflatedImageData(image.toPng());

        assertThat(raw).hasSize(40 * (1 + 96 * 3));
        for (int y = 0; y < 40; y++) {
            assertThat(raw[y * (1 + 96 * 3)]).as("filter of row %d", y).isEqualTo((byte) 2);
        }
    }

    @Test
    void decodesEveryFilterTypeLikeImageIo() throws IOException {
        RgbImage image = noise(23, 15, new Random(9));
        byte[] png = withFilterPerRow(image);

        assertThat(eightBit(RgbImage.fromPng(png))).as("our decoder").isEqualTo(eightBit(image));
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(reference.getRGB(0, 0, 23, 15, null, 0, 23)).as("ImageIO").isEqualTo(eightBit(image));
    }

    /** A PNG of {@code image} whose row y uses filter y mod 5, straight from the specification. */
    private static byte[] withFilterPerRow(RgbImage image) throws IOException {
        int width = image.width();
        int stride = 3 * width;
        int[] pixels = eightBit(image);
        ByteArrayOutputStream filtered = new ByteArrayOutputStream();
        byte[] above = new byte[stride];
        for (int y = 0; y < image.height(); y++) {
            byte[] row = new byte[stride];
            for (int x = 0; x < width; x++) {
                int p = pixels[y * width + x];
                row[3 * x] = (byte) (p >> 16);
                row[3 * x + 1] = (byte) (p >> 8);
                row[3 * x + 2] = (byte) p;
            }
            int filter = y % 5;
            filtered.write(filter);
            for (int i = 0; i < stride; i++) {
                int a = i >= 3 ? row[i - 3] & 0xFF : 0;
                int b = above[i] & 0xFF;
                int c = i >= 3 ? above[i - 3] & 0xFF : 0;
                int predictor = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    default -> {
                        int p = a + b - c;
                        int pa = Math.abs(p - a);
                        int pb = Math.abs(p - b);
                        int pc = Math.abs(p - c);
                        yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    }
                };
                filtered.write((row[i] - predictor) & 0xFF);
            }
            above = row;
        }
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (var deflating = new DeflaterOutputStream(idat)) {
            deflating.write(filtered.toByteArray());
        }
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(image.height());
        header.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", header.array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        png.write(ByteBuffer.allocate(4).putInt(data.length).array());
        png.write(type.getBytes(StandardCharsets.US_ASCII));
        png.write(data);
        png.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void theSamePixelsGiveTheSameBytes() {
        RgbImage image = noise(50, 30, new Random(3));
        RgbImage copy = new RgbImage(50, 30, image.planes().clone());

        assertThat(copy.toPng()).isEqualTo(image.toPng());
    }

    @Test
    void valuesOutsideTheUnitRangeAreClamped() {
        float[] planes = {-1f, 0.5f, 2f, Float.NaN, 1f, 0.25f};
        RgbImage image = new RgbImage(2, 1, planes);

        RgbImage decoded = RgbImage.fromPng(image.toPng());

        assertThat(decoded.planes()).containsExactly(0f, 128 / 255f, 1f, 0f, 1f, 64 / 255f);
    }

    @Test
    void imageIoTruecolourPngsWithAndWithoutAlphaDecodeLikeImageIo() throws IOException {
        Random random = new Random(11);
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR}) {
            BufferedImage source = new BufferedImage(33, 21, type);
            for (int y = 0; y < 21; y++) {
                for (int x = 0; x < 33; x++) {
                    source.setRGB(x, y, random.nextInt());
                }
            }
            byte[] png = write(source);

            BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(eightBit(RgbImage.fromPng(png)))
                    .as("image type %d", type)
                    .isEqualTo(rgbWithoutAlpha(reference.getRGB(0, 0, 33, 21, null, 0, 33)));
        }
    }

    @Test
    void greyscalePngsAreLeftToImageIo() throws IOException {
        BufferedImage grey = new BufferedImage(9, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 9; x++) {
            grey.getRaster().setSample(x, x % 4, 0, x * 28);
        }
        byte[] png = write(grey);

        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(eightBit(RgbImage.fromPng(png))).isEqualTo(rgbWithoutAlpha(reference.getRGB(0, 0, 9, 4, null, 0, 9)));
    }

    @Test
    void corruptOrTruncatedImageDataIsAClearError() {
        byte[] png = noise(40, 40, new Random(5)).toPng();
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        byte[] corrupt = png.clone();
        for (int i = 60; i < 90; i++) {
            corrupt[i] ^= 0x5A;
        }

        assertThatThrownBy(() -> RgbImage.fromPng(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Truncated PNG");
        assertThatThrownBy(() -> RgbImage.fromPng(corrupt)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RgbImage.fromPng("not a png".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a PNG");
    }

    @Test
    void smallerThanImageIoOnAGeneratedImage() throws IOException {
        RgbImage image = gradient(128, 128);
        BufferedImage buffered = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        buffered.setRGB(0, 0, 128, 128, eightBit(image), 0, 128);

        assertThat(image.toPng().length).isLessThan(write(buffered).length);
    }

    private static byte[] inflatedImageData(byte[] png) {
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(8);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        while (in.remaining() >= 12) {
            int length = in.getInt();
            int type = in.getInt();
            if (type == 0x49444154) {
                idat.write(png, in.position(), length);
            }
            in.position(in.position() + length + 4);
        }
        try (var inflated = new InflaterInputStream(new ByteArrayInputStream(idat.toByteArray()))) {
            return inflated.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] write(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static int[] rgbWithoutAlpha(int[] argb) {
        return Arrays.stream(argb).map(v -> v | 0xFF000000).toArray();
    }

    /** ARGB values (alpha 255) of the image's pixels rounded to 8 bits as PNG stores them. */
    private static int[] eightBit(RgbImage image) {
        int plane = image.width() * image.height();
        float[] p = image.planes();
        int[] argb = new int[plane];
        for (int i = 0; i < plane; i++) {
            argb[i] = 0xFF000000 | (q(p[i]) << 16) | (q(p[plane + i]) << 8) | q(p[2 * plane + i]);
        }
        return argb;
    }

    private static int q(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }

    private static RgbImage noise(int width, int height, Random random) {
        RgbImage image = RgbImage.blank(width, height);
        float[] planes = image.planes();
        for (int i = 0; i < planes.length; i++) {
            planes[i] = random.nextFloat();
        }
        return image;
    }

    private static RgbImage gradient(int width, int height) {
        RgbImage image = RgbImage.blank(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.set(0, x, y, x / (float) width);
                image.set(1, x, y, y / (float) height);
                image.set(2, x, y, (float) Math.sin(x * 0.1 + y * 0.05) * 0.5f + 0.5f);
            }
        }
        return image;
    }
}

package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.EnhanceOptions;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.model.Style;
import dev.stageflow.store.Hashing;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EsrganEnhancerTest {

    private static EsrganEnhancer x2;

    @BeforeAll
    static void load() {
        x2 = new EsrganEnhancer(EsrganModel.X2, EsrganGoldenTest.settings(EsrganModel.X2));
    }

    @AfterAll
    static void close() {
        x2.close();
    }

    /**
     * Issue 13 asked that the ×2 model beat bicubic by PSNR on an image downscaled from a sharp
     * original. It does not. On images halved (2×2 means) from sharp originals, PSNR against the
     * original (RGB, 8-bit levels) measured: antialiased shapes: nearest 19.76, esrgan-slim-x2
     * 20.53, bicubic 21.28 dB; the flower photo the npm package ships as its fixture: esrgan-slim-x2
     * 26.26, nearest 26.37, bicubic 27.93 dB. A bicubic 2× downscale, luma-only PSNR or a
     * 4×-supersampled original move the figures by tenths, never the order, and the model's output
     * is softer than bicubic's (Laplacian variance 0.0150 against 0.0171 on the shapes). The model
     * is the package's own: it matches TF.js (EsrganGoldenTest) and the package's published 2×
     * sample of that fixture (95 dB). This test keeps what holds: within 2 dB of bicubic.
     */
    @Test
    void staysWithinTwoDecibelsOfBicubicOnHalvedImages() {
        for (RgbImage original : new RgbImage[] {shapes(128, 128), flower()}) {
            RgbImage small = halve(original);
            double learned = psnr(original, x2.upscale(small));
            double bicubic = psnr(original, new ClassicalEnhancer(EnhanceSettings.defaults()).upscale(small));
            System.out.printf("PSNR against the original: nearest %.2f dB, bicubic %.2f dB, esrgan-slim-x2 %.2f dB%n",
                    psnr(original, nearest(small)), bicubic, learned);
            assertThat(learned).isGreaterThan(bicubic - 2);
        }
    }

    @Test
    void tiledOutputEqualsOneCallOnTheWholeImage() {
        RgbImage input = shapes(100, 70);
        RgbImage whole = x2.upscale(input);
        try (EsrganEnhancer tiled = new EsrganEnhancer(EsrganModel.X2, settings(EsrganModel.X2, 32, 12))) {
            assertThat(maxDifference(whole, tiled.upscale(input))).isLessThan(1e-5);
        }
    }

    @Test
    void tilesWithoutOverlapShowSeams() {
        RgbImage input = shapes(100, 70);
        RgbImage whole = x2.upscale(input);
        try (EsrganEnhancer tiled = new EsrganEnhancer(EsrganModel.X2, settings(EsrganModel.X2, 32, 0))) {
            assertThat(maxDifference(whole, tiled.upscale(input))).isGreaterThan(0.02);
        }
    }

    @Test
    void sameInputGivesTheSameBytesFromAnotherSession() {
        RgbImage input = shapes(48, 40);
        byte[] first = x2.enhance(input, Style.VIVID).toPng();
        try (EsrganEnhancer another = new EsrganEnhancer(EsrganModel.X2, EsrganGoldenTest.settings(EsrganModel.X2))) {
            assertThat(another.enhance(input, Style.VIVID).toPng()).isEqualTo(first);
        }
    }

    @Test
    void enhancesToTheModelsScale() {
        try (EsrganEnhancer x4 = new EsrganEnhancer(EsrganModel.X4, EsrganGoldenTest.settings(EsrganModel.X4))) {
            RgbImage enhanced = x4.enhance(shapes(24, 16), Style.NATURAL);
            assertThat(enhanced.width()).isEqualTo(96);
            assertThat(enhanced.height()).isEqualTo(64);
        }
    }

    @Test
    void versionIsTheModelFilesHashAndTheSettingsThatShapePixels() throws IOException {
        byte[] onnx;
        try (InputStream in = getClass().getResourceAsStream("/" + EsrganModel.X2.resourceDir() + "/model.onnx")) {
            onnx = in.readAllBytes();
        }
        String hash = Hashing.sha256Hex(onnx).substring(0, 12);

        assertThat(x2.version()).isEqualTo("esrgan-slim-x2-" + hash + "-c0.005-t192-o12");
    }

    @Test
    void aLearnedModelSetsTheScale() {
        Configuration conf = new Configuration();
        conf.set(ModelOptions.ENHANCER.model, "esrgan-slim-x4");

        EnhanceSettings settings = EnhanceSettings.from(conf);

        assertThat(settings.scale()).isEqualTo(4);
        try (ImageEnhancer enhancer = ModelKind.IMAGE_ENHANCER.create(conf, 1)) {
            assertThat(enhancer).isInstanceOf(EsrganEnhancer.class);
            assertThat(enhancer.version()).startsWith("esrgan-slim-x4-");
        }
    }

    @Test
    void aScaleOtherThanTheModelsIsRefusedNamingBothOptions() {
        Configuration conf = new Configuration();
        conf.set(ModelOptions.ENHANCER.model, "esrgan-slim-x2");
        conf.set(EnhanceOptions.SCALE, 3);

        assertThatThrownBy(() -> EnhanceSettings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("enhancer.scale")
                .hasMessageContaining("must be 2 with enhancer.model esrgan-slim-x2, got 3");
    }

    @Test
    void anUnknownModelIsRefusedListingTheModels() {
        Configuration conf = new Configuration();
        conf.set(ModelOptions.ENHANCER.model, "esrgan-x2");

        assertThatThrownBy(() -> EnhanceSettings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("enhancer.model")
                .hasMessageContaining("classical, esrgan-slim-x2, esrgan-slim-x4");
    }

    @Test
    void tileSettingsOutOfRangeAreRefusedNamingTheOption() {
        Configuration conf = new Configuration();
        conf.set(EnhanceOptions.TILE_OVERLAP, 65);

        assertThatThrownBy(() -> EnhanceSettings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("enhancer.tile-overlap")
                .hasMessageContaining("0 to 64");
    }

    private static EnhanceSettings settings(EsrganModel model, int tileSize, int overlap) {
        return new EnhanceSettings(model.optionValue(), model.scale(), 0.8f, 1f, 0.005f, tileSize, overlap);
    }

    private static double maxDifference(RgbImage a, RgbImage b) {
        assertThat(b.width()).isEqualTo(a.width());
        assertThat(b.height()).isEqualTo(a.height());
        double max = 0;
        for (int i = 0; i < a.planes().length; i++) {
            max = Math.max(max, Math.abs(a.planes()[i] - b.planes()[i]));
        }
        return max;
    }

    private static RgbImage nearest(RgbImage image) {
        RgbImage doubled = RgbImage.blank(image.width() * 2, image.height() * 2);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < doubled.height(); y++) {
                for (int x = 0; x < doubled.width(); x++) {
                    doubled.set(c, x, y, image.get(c, x / 2, y / 2));
                }
            }
        }
        return doubled;
    }

    static RgbImage flower() {
        try (InputStream in = EsrganEnhancerTest.class.getResourceAsStream("/esrgan/flower.png")) {
            return RgbImage.fromPng(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sharp antialiased edges: discs, thin lines at many angles, stripes, in colour. */
    static RgbImage shapes(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(new Color(235, 230, 215));
        g.fillRect(0, 0, width, height);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            double size = 8 + random.nextDouble() * width / 3.0;
            g.fill(new Ellipse2D.Double(random.nextDouble() * width - size / 2, random.nextDouble() * height - size / 2,
                    size, size));
        }
        for (int i = 0; i < 24; i++) {
            g.setColor(new Color(random.nextInt(128), random.nextInt(128), random.nextInt(128)));
            g.setStroke(new BasicStroke((float) (0.8 + random.nextDouble() * 2)));
            g.draw(new Line2D.Double(random.nextDouble() * width, random.nextDouble() * height,
                    random.nextDouble() * width, random.nextDouble() * height));
        }
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RgbImage.fromPng(png.toByteArray());
    }

    /** Each output pixel the mean of 2×2 input pixels (area downscaling). */
    static RgbImage halve(RgbImage image) {
        RgbImage half = RgbImage.blank(image.width() / 2, image.height() / 2);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < half.height(); y++) {
                for (int x = 0; x < half.width(); x++) {
                    half.set(c, x, y, (image.get(c, 2 * x, 2 * y) + image.get(c, 2 * x + 1, 2 * y)
                            + image.get(c, 2 * x, 2 * y + 1) + image.get(c, 2 * x + 1, 2 * y + 1)) / 4);
                }
            }
        }
        return half;
    }

    /** PSNR in dB over all channels, of both images as 8-bit levels. */
    static double psnr(RgbImage expected, RgbImage actual) {
        float[] a = expected.planes();
        float[] b = actual.planes();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double difference = level(a[i]) - level(b[i]);
            sum += difference * difference;
        }
        return 10 * Math.log10(255.0 * 255.0 / (sum / a.length));
    }

    private static int level(float value) {
        return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
    }
}

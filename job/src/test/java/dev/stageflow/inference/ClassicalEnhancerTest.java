package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.stageflow.config.EnhanceOptions;
import dev.stageflow.model.Style;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClassicalEnhancerTest {

    private static final ClassicalEnhancer DEFAULT = new ClassicalEnhancer(EnhanceSettings.defaults());

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void outputIsScaleTimesTheInputSize(int scale) {
        ClassicalEnhancer enhancer = new ClassicalEnhancer(new EnhanceSettings(scale, 0.8f, 1f, 0.005f));

        RgbImage enhanced = enhancer.enhance(smoothNoise(40, 24, 1), Style.NATURAL);

        assertThat(enhanced.width()).isEqualTo(40 * scale);
        assertThat(enhanced.height()).isEqualTo(24 * scale);
    }

    @Test
    void sharpeningRaisesTheLaplacianVarianceOfThePlainBicubicUpscale() {
        RgbImage input = checkerboard(32, 32, 4);
        RgbImage upscaled = DEFAULT.upscale(input);
        RgbImage sharpened = DEFAULT.upscale(input);

        DEFAULT.sharpen(sharpened);

        assertThat(laplacianVariance(sharpened)).isGreaterThan(1.5 * laplacianVariance(upscaled));
    }

    @Test
    void enhancedImageIsSharperThanWithoutTheUnsharpMask() {
        RgbImage input = checkerboard(64, 64, 16);
        ClassicalEnhancer unsharpened = new ClassicalEnhancer(new EnhanceSettings(2, 0f, 1f, 0.005f));

        double withMask = laplacianVariance(DEFAULT.enhance(input, Style.NATURAL));
        double withoutMask = laplacianVariance(unsharpened.enhance(input, Style.NATURAL));

        assertThat(withMask).isGreaterThan(1.3 * withoutMask);
    }

    @Test
    void autoContrastStretchesALowContrastImageToTheFullRange() {
        RgbImage lowContrast = scaledTo(smoothNoise(128, 128, 3), 0.4f, 0.6f);

        RgbImage enhanced = DEFAULT.enhance(lowContrast, Style.NATURAL);

        for (int channel = 0; channel < 3; channel++) {
            assertThat(min(enhanced, channel)).as("min of channel %d", channel).isEqualTo(0f);
            assertThat(max(enhanced, channel)).as("max of channel %d", channel).isEqualTo(1f);
            assertThat(fractionEqualTo(enhanced, channel, 0f)).isCloseTo(0.005, offset(0.001));
            assertThat(fractionEqualTo(enhanced, channel, 1f)).isCloseTo(0.005, offset(0.001));
        }
    }

    @Test
    void autoContrastWithoutClippingMapsTheExtremesToZeroAndOne() {
        RgbImage image = scaledTo(smoothNoise(50, 30, 4), 0.4f, 0.6f);

        AutoContrast.stretch(image, 0f);

        for (int channel = 0; channel < 3; channel++) {
            assertThat(min(image, channel)).isEqualTo(0f);
            assertThat(max(image, channel)).isCloseTo(1f, offset(1e-5f));
        }
    }

    @Test
    void autoContrastLeavesAFlatChannelAlone() {
        RgbImage image = smoothNoise(20, 20, 5);
        int plane = 20 * 20;
        Arrays.fill(image.planes(), plane, 2 * plane, 0.3f);

        AutoContrast.stretch(image, 0.005f);

        assertThat(min(image, 1)).isEqualTo(0.3f);
        assertThat(max(image, 1)).isEqualTo(0.3f);
        assertThat(max(image, 0) - min(image, 0)).isGreaterThan(0.9f);
    }

    @Test
    void monoGivesEqualChannels() {
        RgbImage enhanced = DEFAULT.enhance(smoothNoise(32, 32, 6), Style.MONO);

        for (int y = 0; y < enhanced.height(); y++) {
            for (int x = 0; x < enhanced.width(); x++) {
                assertThat(enhanced.get(1, x, y)).isEqualTo(enhanced.get(0, x, y));
                assertThat(enhanced.get(2, x, y)).isEqualTo(enhanced.get(0, x, y));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "NATURAL, 0.5,   0.5,  0.5",
        "VIVID,   0.5,   0.5,  0.5",
        "MONO,    0.5,   0.5,  0.5",
        "PASTEL,  0.575, 0.575, 0.575",
        "WARM,    0.54,  0.5,  0.45",
        "COOL,    0.46,  0.5,  0.54"
    })
    void gradesMidGrey(Style style, float red, float green, float blue) {
        RgbImage grey = constant(4, 4, 0.5f);

        StyleGrade.apply(grey, style);

        assertThat(grey.get(0, 2, 2)).isCloseTo(red, offset(1e-6f));
        assertThat(grey.get(1, 2, 2)).isCloseTo(green, offset(1e-6f));
        assertThat(grey.get(2, 2, 2)).isCloseTo(blue, offset(1e-6f));
    }

    @Test
    void vividWidensAndPastelNarrowsTheSpreadBetweenChannels() {
        RgbImage vivid = constantColour(0.6f, 0.4f, 0.3f);
        RgbImage pastel = constantColour(0.6f, 0.4f, 0.3f);

        StyleGrade.apply(vivid, Style.VIVID);
        StyleGrade.apply(pastel, Style.PASTEL);

        assertThat(vivid.get(0, 0, 0) - vivid.get(2, 0, 0)).isCloseTo(0.3f * 1.35f, offset(1e-6f));
        assertThat(pastel.get(0, 0, 0) - pastel.get(2, 0, 0)).isCloseTo(0.3f * 0.6f * 0.85f, offset(1e-6f));
    }

    @ParameterizedTest
    @EnumSource(Style.class)
    void sameInputGivesIdenticalPngBytes(Style style) {
        RgbImage input = smoothNoise(48, 40, 7);
        float[] before = input.planes().clone();

        byte[] first = new ClassicalEnhancer(EnhanceSettings.defaults()).enhance(input, style).toPng();
        byte[] second = new ClassicalEnhancer(EnhanceSettings.defaults()).enhance(input, style).toPng();

        assertThat(second).isEqualTo(first);
        assertThat(input.planes()).as("input left unchanged").isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void bicubicUpscaleOfAConstantImageStaysConstant(int scale) {
        ClassicalEnhancer enhancer = new ClassicalEnhancer(new EnhanceSettings(scale, 0.8f, 1f, 0.005f));

        RgbImage upscaled = enhancer.upscale(constant(9, 7, 0.37f));

        for (float value : upscaled.planes()) {
            assertThat(value).isCloseTo(0.37f, offset(1e-6f));
        }
    }

    /** Keys' kernel is exact for polynomials up to degree 2; a ramp also pins the pixel-centre alignment. */
    @Test
    void bicubicUpscaleReproducesALinearRampAwayFromTheEdges() {
        RgbImage ramp = RgbImage.blank(16, 3);
        for (int channel = 0; channel < 3; channel++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 16; x++) {
                    ramp.set(channel, x, y, x / 15f);
                }
            }
        }

        RgbImage upscaled = DEFAULT.upscale(ramp);

        for (int x = 4; x < 28; x++) {
            float sourceX = (x + 0.5f) / 2 - 0.5f;
            assertThat(upscaled.get(0, x, 2)).isCloseTo(sourceX / 15f, offset(1e-6f));
        }
    }

    @Test
    void versionNamesEverySetting() {
        assertThat(DEFAULT.version()).isEqualTo("enhance-v1-s2-a0.8-r1.0-c0.005");
        assertThat(new ClassicalEnhancer(new EnhanceSettings(3, 0.5f, 1.5f, 0.01f)).version())
                .isEqualTo("enhance-v1-s3-a0.5-r1.5-c0.01");
    }

    @Test
    void defaultsAreTheOptionDefaults() {
        assertThat(EnhanceSettings.defaults()).isEqualTo(new EnhanceSettings(2, 0.8f, 1f, 0.005f));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0.8, 1.0, 0.005, scale, 1 to 4",
        "5, 0.8, 1.0, 0.005, scale, 1 to 4",
        "2, -0.1, 1.0, 0.005, sharpenAmount, >= 0",
        "2, NaN, 1.0, 0.005, sharpenAmount, >= 0",
        "2, Infinity, 1.0, 0.005, sharpenAmount, >= 0",
        "2, 0.8, 0.0, 0.005, sharpenSigma, > 0",
        "2, 0.8, -1.0, 0.005, sharpenSigma, > 0",
        "2, 0.8, NaN, 0.005, sharpenSigma, > 0",
        "2, 0.8, 1.0, -0.001, contrastClip, 0 to 0.2",
        "2, 0.8, 1.0, 0.21, contrastClip, 0 to 0.2",
        "2, 0.8, 1.0, NaN, contrastClip, 0 to 0.2"
    })
    void settingsRejectOutOfRangeValues(
            int scale, float amount, float sigma, float clip, String field, String allowed) {
        assertThatThrownBy(() -> new EnhanceSettings(scale, amount, sigma, clip))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(field)
                .hasMessageContaining(allowed);
    }

    @Test
    void settingsFromConfigurationNameTheOption() {
        Configuration conf = new Configuration();
        conf.set(EnhanceOptions.CONTRAST_CLIP, 0.5);

        assertThatThrownBy(() -> EnhanceSettings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("enhancer.contrast-clip")
                .hasMessageContaining("0 to 0.2")
                .hasMessageContaining("0.5");
    }

    private static RgbImage smoothNoise(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RgbImage image = RgbImage.blank(width, height);
        for (int channel = 0; channel < 3; channel++) {
            double[] waves = new double[12];
            for (int i = 0; i < waves.length; i++) {
                waves[i] = random.nextDouble(0.05, 0.6) * (i % 3 == 2 ? 2 * Math.PI : 1);
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int wave = 0; wave < waves.length; wave += 3) {
                        sum += Math.sin(waves[wave] * x + waves[wave + 1] * y + waves[wave + 2]);
                    }
                    image.set(channel, x, y, (float) (0.5 + sum / 8));
                }
            }
        }
        return image;
    }

    private static RgbImage checkerboard(int width, int height, int cell) {
        RgbImage image = RgbImage.blank(width, height);
        for (int channel = 0; channel < 3; channel++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    boolean light = (x / cell + y / cell) % 2 == 0;
                    image.set(channel, x, y, light ? 0.8f - 0.1f * channel : 0.2f + 0.1f * channel);
                }
            }
        }
        return image;
    }

    private static RgbImage constant(int width, int height, float value) {
        RgbImage image = RgbImage.blank(width, height);
        Arrays.fill(image.planes(), value);
        return image;
    }

    private static RgbImage constantColour(float red, float green, float blue) {
        return new RgbImage(1, 1, new float[] {red, green, blue});
    }

    /** Rescales every channel linearly onto [low, high]. */
    private static RgbImage scaledTo(RgbImage image, float low, float high) {
        for (int channel = 0; channel < 3; channel++) {
            float min = min(image, channel);
            float span = max(image, channel) - min;
            for (int y = 0; y < image.height(); y++) {
                for (int x = 0; x < image.width(); x++) {
                    image.set(channel, x, y, low + (high - low) * (image.get(channel, x, y) - min) / span);
                }
            }
        }
        return image;
    }

    /** Variance of the 4-neighbour Laplacian of Rec. 709 luma over the interior: a standard focus measure. */
    private static double laplacianVariance(RgbImage image) {
        double sum = 0;
        double sumOfSquares = 0;
        int count = 0;
        for (int y = 1; y < image.height() - 1; y++) {
            for (int x = 1; x < image.width() - 1; x++) {
                double laplacian = luma(image, x - 1, y) + luma(image, x + 1, y) + luma(image, x, y - 1)
                        + luma(image, x, y + 1) - 4 * luma(image, x, y);
                sum += laplacian;
                sumOfSquares += laplacian * laplacian;
                count++;
            }
        }
        double mean = sum / count;
        return sumOfSquares / count - mean * mean;
    }

    private static double luma(RgbImage image, int x, int y) {
        return 0.2126 * image.get(0, x, y) + 0.7152 * image.get(1, x, y) + 0.0722 * image.get(2, x, y);
    }

    private static float min(RgbImage image, int channel) {
        float min = Float.POSITIVE_INFINITY;
        for (float value : channel(image, channel)) {
            min = Math.min(min, value);
        }
        return min;
    }

    private static float max(RgbImage image, int channel) {
        float max = Float.NEGATIVE_INFINITY;
        for (float value : channel(image, channel)) {
            max = Math.max(max, value);
        }
        return max;
    }

    private static double fractionEqualTo(RgbImage image, int channel, float target) {
        float[] values = channel(image, channel);
        return IntStream.range(0, values.length).filter(i -> values[i] == target).count() / (double) values.length;
    }

    private static float[] channel(RgbImage image, int channel) {
        int plane = image.width() * image.height();
        return Arrays.copyOfRange(image.planes(), channel * plane, (channel + 1) * plane);
    }
}

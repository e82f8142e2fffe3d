package dev.stageflow.inference;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.stageflow.inference.EsrganTranslator.Planes;
import dev.stageflow.inference.Tiles.Tile;
import dev.stageflow.model.Style;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * A learned enhancer ({@code enhancer.model: esrgan-slim-x2 | esrgan-slim-x4}): an {@link
 * EsrganModel} upscales on ONNX Runtime (through DJL), then auto-contrast and the style's colour
 * grading run as in the classical enhancer.
 *
 * <p>The image is upscaled in {@link Tiles}, each one model call on its core plus {@code
 * tileOverlap} pixels of context on every side (edge pixels repeated past the image's borders, where
 * the model's zero padding would otherwise leave a dark seam), of which only the core's output is
 * kept: the model's memory is bounded by the tile size whatever the image size, and with an overlap
 * from the models' reach (10 input pixels: nine 3×3 or 5×5 convolutions before the upsampling, one
 * after) the result is that of one call on the whole image with the same borders.
 *
 * <p>Determinism: a model call runs on one ONNX Runtime thread (the stage's workers, {@code
 * enhancer.threads}, enhance images side by side), tiles are cut the same way every time, and the
 * {@link #version()} is the model's option value, the first 12 hex digits of the SHA-256 of its
 * ONNX file, and every setting that shapes the pixels. A replaced model file therefore changes
 * every key. As for every ONNX model here, bits can differ between CPU kinds (see
 * {@link OnnxImageGenerator}).
 *
 * <p>One instance holds one ONNX Runtime session (per subtask, created in the stage's open) and is
 * shared by the stage's workers: each call takes its own predictor.
 */
public final class EsrganEnhancer implements ImageEnhancer {

    private final EsrganModel model;
    private final EnhanceSettings settings;
    private final String version;
    private final ZooModel<Planes, Planes> session;

    /** On the CPU. */
    EsrganEnhancer(EsrganModel model, EnhanceSettings settings) {
        this(model, settings, ModelSpec.of(EsrganModel.FAMILY, model.optionValue(), 1));
    }

    /** On {@code spec}'s device; each call on one thread. */
    EsrganEnhancer(EsrganModel model, EnhanceSettings settings, ModelSpec spec) {
        this.model = model;
        this.settings = settings;
        Path file = modelFile(model);
        this.version = versionOf(model, settings);
        this.session = OnnxModels.load(file.getParent(), modelName(), Planes.class, Planes.class,
                new EsrganTranslator(), spec.withThreads(1));
    }

    private static Path modelFile(EsrganModel model) {
        return ModelFiles.extract("/" + model.resourceDir() + "/" + EsrganModel.MODEL_FILE, model.optionValue());
    }

    private static String versionOf(EsrganModel model, EnhanceSettings settings) {
        return model.optionValue() + "-" + ModelVersion.fileHash(modelFile(model)) + "-c" + settings.contrastClip()
                + "-t" + settings.tileSize() + "-o" + settings.tileOverlap();
    }

    @Override
    public String name() {
        return model.optionValue();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public RgbImage enhance(RgbImage input, Style style) {
        RgbImage image = upscale(input);
        AutoContrast.stretch(image, settings.contrastClip());
        StyleGrade.apply(image, style);
        return image;
    }

    /** A new image: {@code input} upscaled by the model, tile by tile, clamped to [0, 1]. */
    RgbImage upscale(RgbImage input) {
        int scale = model.scale();
        RgbImage output = RgbImage.blank(input.width() * scale, input.height() * scale);
        try (Predictor<Planes, Planes> predictor = session.newPredictor()) {
            for (Tile tile : Tiles.cover(input.width(), input.height(), settings.tileSize(), settings.tileOverlap())) {
                Planes upscaled = predict(predictor, crop(input, tile), input);
                paste(upscaled, tile, scale, output);
            }
        }
        return output;
    }

    @Override
    public void close() {
        session.close();
    }

    private Planes predict(Predictor<Planes, Planes> predictor, Planes planes, RgbImage image) {
        try {
            return predictor.predict(planes);
        } catch (TranslateException e) {
            throw new IllegalStateException(version + " failed on a tile of a " + image.width() + "x"
                    + image.height() + " image", e);
        }
    }

    /** The tile's context region of {@code image}, in the model's range, edge pixels repeated past the image. */
    private static Planes crop(RgbImage image, Tile tile) {
        int width = tile.contextWidth();
        int height = tile.contextHeight();
        float[] values = new float[3 * width * height];
        float[] planes = image.planes();
        for (int channel = 0; channel < 3; channel++) {
            for (int row = 0; row < height; row++) {
                int sourceRow = Math.max(0, Math.min(image.height() - 1, tile.contextY() + row));
                int from = (channel * image.height() + sourceRow) * image.width();
                int to = (channel * height + row) * width;
                for (int column = 0; column < width; column++) {
                    int sourceColumn = Math.max(0, Math.min(image.width() - 1, tile.contextX() + column));
                    values[to + column] = planes[from + sourceColumn] * EsrganModel.PIXEL_RANGE;
                }
            }
        }
        return new Planes(width, height, values);
    }

    /** The output of the tile's core into {@code output}, back to [0, 1] and clamped, as UpscalerJS clips. */
    private static void paste(Planes upscaled, Tile tile, int scale, RgbImage output) {
        int offsetX = (tile.x() - tile.contextX()) * scale;
        int offsetY = (tile.y() - tile.contextY()) * scale;
        int width = tile.width() * scale;
        int height = tile.height() * scale;
        float[] values = upscaled.values();
        float[] planes = output.planes();
        for (int channel = 0; channel < 3; channel++) {
            for (int row = 0; row < height; row++) {
                int from = (channel * upscaled.height() + offsetY + row) * upscaled.width() + offsetX;
                int to = (channel * output.height() + tile.y() * scale + row) * output.width() + tile.x() * scale;
                for (int column = 0; column < width; column++) {
                    float value = values[from + column] / EsrganModel.PIXEL_RANGE;
                    planes[to + column] = Math.max(0f, Math.min(1f, value));
                }
            }
        }
    }

    private static String modelName() {
        return EsrganModel.MODEL_FILE.substring(0, EsrganModel.MODEL_FILE.length() - ".onnx".length());
    }

    /** The family {@value EsrganModel#FAMILY}, registered for {@link java.util.ServiceLoader}. */
    public static final class Factory implements ImageEnhancerFactory {

        @Override
        public String family() {
            return EsrganModel.FAMILY;
        }

        @Override
        public Set<String> builtinModels() {
            return Arrays.stream(EsrganModel.values()).map(EsrganModel::optionValue).collect(Collectors.toSet());
        }

        @Override
        public void validate(ModelSpec spec) {
            EnhanceSettings.from(spec.configuration());
            model(spec);
        }

        @Override
        public Optional<ModelIdentity> identify(ModelSpec spec) {
            EsrganModel model = model(spec);
            return Optional.of(ModelIdentity.of(model.optionValue(),
                    versionOf(model, EnhanceSettings.from(spec.configuration()))));
        }

        @Override
        public ImageEnhancer create(ModelSpec spec) {
            EnhanceSettings settings = EnhanceSettings.from(spec.configuration());
            return new EsrganEnhancer(model(spec), settings, spec);
        }

        private static EsrganModel model(ModelSpec spec) {
            return EsrganModel.byOptionValue(spec.model()).orElseThrow(() -> new IllegalConfigurationException(
                    "Option enhancer.model: the esrgan-slim family has the models " + new TreeSet<>(
                            new Factory().builtinModels()) + ", not '" + spec.model() + "'"));
        }
    }
}

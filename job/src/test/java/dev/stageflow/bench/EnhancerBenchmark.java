package dev.stageflow.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stageflow.config.EnhanceOptions;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.MiniLmTextEncoder;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.Json;
import dev.stageflow.model.Style;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * The enhancers side by side: a picture of the first example prompts' generated images with
 * their classical and learned enhancements (the README's), and the time each enhancer takes per
 * image of 128×128 and 512×512 pixels (median of {@code repeats} after a warm-up, one thread), as
 * a Markdown table on standard output. Usage: {@code EnhancerBenchmark <prompts.jsonl> <picture.png>
 * [rows] [repeats]}.
 */
public final class EnhancerBenchmark {

    private static final int SIDE = 128;
    private static final int GAP = 4;
    private static final List<String> MODELS = EnhanceOptions.MODELS;

    public static void main(String[] args) throws Exception {
        Path prompts = Paths.get(args[0]);
        Path picture = Paths.get(args[1]);
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 5;

        List<String> texts = texts(prompts, rows);
        List<RgbImage> generated = new ArrayList<>();
        RgbImage large;
        try (MiniLmTextEncoder encoder = MiniLmTextEncoder.builtin(1, 128);
                OnnxImageGenerator generator = OnnxImageGenerator.builtin(1)) {
            for (int i = 0; i < texts.size(); i++) {
                float[] embedding = encoder.encode(List.of(texts.get(i)))[0];
                generated.add(generator.generate(List.of(new GenerationInput(embedding, i, SIDE, SIDE, 8))).get(0).image);
            }
            float[] embedding = encoder.encode(List.of(texts.get(0)))[0];
            large = generator.generate(List.of(new GenerationInput(embedding, 0, 4 * SIDE, 4 * SIDE, 8))).get(0).image;
        }

        List<List<RgbImage>> picture2x = new ArrayList<>();
        for (RgbImage image : generated) {
            picture2x.add(new ArrayList<>(List.of(nearest2x(image))));
        }
        System.out.println("| enhancer | ms per image, 128×128 in | ms per image, 512×512 in |");
        System.out.println("|---|---|---|");
        for (String model : MODELS) {
            Configuration conf = new Configuration();
            conf.set(ModelOptions.ENHANCER.model, model);
            try (ImageEnhancer enhancer = ModelKind.IMAGE_ENHANCER.create(conf, 1)) {
                if (!model.equals(EnhanceOptions.ESRGAN_SLIM_X4)) {
                    for (int i = 0; i < generated.size(); i++) {
                        picture2x.get(i).add(enhancer.enhance(generated.get(i), Style.NATURAL));
                    }
                }
                System.out.printf("| `%s` | %d | %d |%n", model, medianMillis(enhancer, generated.get(0), repeats),
                        medianMillis(enhancer, large, Math.max(1, repeats / 2)));
            }
        }
        Files.createDirectories(picture.toAbsolutePath().getParent());
        Files.write(picture, grid(picture2x).toPng());
        System.out.println("Wrote " + picture + ": generated (nearest ×2), classical, esrgan-slim-x2");
    }

    private static long medianMillis(ImageEnhancer enhancer, RgbImage image, int repeats) {
        enhancer.enhance(image, Style.NATURAL);
        long[] millis = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            enhancer.enhance(image, Style.NATURAL);
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis[repeats / 2];
    }

    private static List<String> texts(Path prompts, int count) throws Exception {
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(prompts)) {
            String text = textOf(line);
            if (!text.isBlank() && texts.size() < count) {
                texts.add(text);
            }
        }
        return texts;
    }

    private static String textOf(String line) {
        try {
            return Json.MAPPER.readTree(line).path("text").asText("");
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    private static RgbImage nearest2x(RgbImage image) {
        RgbImage doubled = RgbImage.blank(2 * image.width(), 2 * image.height());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < doubled.height(); y++) {
                for (int x = 0; x < doubled.width(); x++) {
                    doubled.set(c, x, y, image.get(c, x / 2, y / 2));
                }
            }
        }
        return doubled;
    }

    /** The images in rows and columns of equal size, on white with gaps. */
    private static RgbImage grid(List<List<RgbImage>> rows) {
        int cell = rows.get(0).get(0).width();
        int columns = rows.get(0).size();
        RgbImage grid = RgbImage.blank(columns * cell + (columns - 1) * GAP, rows.size() * cell + (rows.size() - 1) * GAP);
        Arrays.fill(grid.planes(), 1f);
        for (int r = 0; r < rows.size(); r++) {
            for (int col = 0; col < columns; col++) {
                RgbImage image = rows.get(r).get(col);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < cell; y++) {
                        for (int x = 0; x < cell; x++) {
                            grid.set(c, col * (cell + GAP) + x, r * (cell + GAP) + y, image.get(c, x, y));
                        }
                    }
                }
            }
        }
        return grid;
    }
}

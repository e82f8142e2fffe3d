package dev.stageflow.benchmarks;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.inference.MiniLmTextEncoder;
import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.store.Hashing;
import dev.stageflow.store.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * Real artifacts for the benchmarks, made by the built-in models as the pipeline makes them: the
 * MiniLM embedding of one prompt (384 floats), and for each image side the generator's image as
 * PNG and its latent as float16 {@code .npy} (the store's default element type), with the default
 * number of steps. 128 is the default request size (latent 4×16×16), 512 a large one (4×64×64).
 *
 * <p>Loading the models takes seconds, and JMH forks a JVM per benchmark and parameter set, so the
 * first fork writes the artifacts to the directory {@code stageflow.jmh.fixtures} names (default
 * {@code target/jmh-fixtures}) and later forks read them. The models are deterministic, so a fork
 * that writes them again writes the same bytes.
 */
public final class Fixtures {

    /** The image sides measured: the default request size and a large one. */
    public static final List<Integer> SIDES = List.of(128, 512);
    public static final String PROMPT = "a lighthouse on a rocky coast at dusk, oil painting";
    private static final long SEED = 42;

    private Fixtures() {}

    /** The generator's image of {@link #PROMPT} at {@code side}×{@code side}, as the PNG it stores. */
    public static byte[] png(int side) {
        return read("image-" + side + ".png");
    }

    /** The generator's latent for that image, as the float16 {@code .npy} it stores. */
    public static byte[] latentNpy(int side) {
        return read("latent-" + side + ".npy");
    }

    /** The MiniLM embedding of {@link #PROMPT}. */
    public static float[] embedding() {
        return Hashing.bytesToFloats(read("embedding.f32"));
    }

    /** An artifact by name: {@code png-<side>} ({@link #png}) or {@code latent-<side>} ({@link #latentNpy}). */
    public static byte[] artifact(String name) {
        String[] kindAndSide = name.split("-");
        int side = Integer.parseInt(kindAndSide[1]);
        switch (kindAndSide[0]) {
            case "png":
                return png(side);
            case "latent":
                return latentNpy(side);
            default:
                throw new IllegalArgumentException("Unknown artifact " + name + "; use png-<side> or latent-<side>");
        }
    }

    private static synchronized byte[] read(String fileName) {
        Path dir = Paths.get(System.getProperty("stageflow.jmh.fixtures", "target/jmh-fixtures"));
        try {
            if (!Files.exists(dir.resolve(fileName))) {
                write(dir);
            }
            return Files.readAllBytes(dir.resolve(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read benchmark fixture " + fileName + " in " + dir, e);
        }
    }

    private static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        int steps = new Configuration().get(RequestOptions.DEFAULT_STEPS);
        float[] embedding;
        try (MiniLmTextEncoder encoder = MiniLmTextEncoder.builtin(1, 128)) {
            embedding = encoder.encode(List.of(PROMPT))[0];
        }
        writeAtomically(dir, "embedding.f32", Hashing.floatsToBytes(embedding));
        try (OnnxImageGenerator generator = OnnxImageGenerator.builtin(1)) {
            for (int side : SIDES) {
                Generated generated = generator
                        .generate(List.of(new GenerationInput(embedding, SEED, side, side, steps)))
                        .get(0);
                writeAtomically(dir, "latent-" + side + ".npy",
                        Npy.write(generated.latent, generated.latentShape, Npy.NpyDType.FLOAT16));
                writeAtomically(dir, "image-" + side + ".png", generated.image.toPng());
            }
        }
    }

    private static void writeAtomically(Path dir, String fileName, byte[] bytes) throws IOException {
        Path temporary = Files.createTempFile(dir, fileName, ".tmp");
        Files.write(temporary, bytes);
        Files.move(temporary, dir.resolve(fileName), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

package dev.stageflow.inference;

import dev.stageflow.benchmarks.BenchmarkBase;
import dev.stageflow.benchmarks.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * PNG coding of the generator's image, through {@link RgbImage}'s public API only ({@code toPng},
 * {@code fromPng}: whatever encoder and decoder it uses), beside the JDK's ImageIO on the same
 * pixels as the baseline: {@code imageIoWrite} encodes them with ImageIO's PNG writer as the {@code
 * TYPE_INT_RGB} image that {@code RgbImage.toPng} hands ImageIO when it uses it, and {@code
 * imageIoRead} decodes the bytes {@code toPng} writes. The RgbImage figures include the conversion
 * between float planes and 8-bit pixels, the ImageIO ones do not.
 */
@State(Scope.Thread)
public class PngBenchmark extends BenchmarkBase {

    @Param({"128", "512"})
    public int side;

    private RgbImage image;
    private byte[] png;
    private BufferedImage pixels;

    @Setup
    public void setUp() throws IOException {
        image = RgbImage.fromPng(Fixtures.png(side));
        png = image.toPng();
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        pixels = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        pixels.setRGB(0, 0, side, side, decoded.getRGB(0, 0, side, side, null, 0, side), 0, side);
    }

    @Benchmark
    public byte[] toPng() {
        return image.toPng();
    }

    @Benchmark
    public RgbImage fromPng() {
        return RgbImage.fromPng(png);
    }

    @Benchmark
    public byte[] imageIoWrite() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(side * side);
        ImageIO.write(pixels, "png", out);
        return out.toByteArray();
    }

    @Benchmark
    public BufferedImage imageIoRead() throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }
}

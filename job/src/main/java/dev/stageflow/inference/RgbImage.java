package dev.stageflow.inference;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * An RGB image as three float planes (channel-major, like the model tensors), values in [0, 1].
 * PNG encoding is 8-bit and deterministic: the same pixels always give the same bytes.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final float[] planes;

    /** Wraps {@code planes} (length 3 × width × height, order R, G, B; not copied). */
    public RgbImage(int width, int height, float[] planes) {
        if (width <= 0 || height <= 0 || planes.length != 3 * width * height) {
            throw new IllegalArgumentException(
                    "Planes of length " + planes.length + " do not fit " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.planes = planes;
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new float[3 * width * height]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing planes (not a copy): index {@code c * width * height + y * width + x}. */
    public float[] planes() {
        return planes;
    }

    public float get(int channel, int x, int y) {
        return planes[(channel * height + y) * width + x];
    }

    public void set(int channel, int x, int y, float value) {
        planes[(channel * height + y) * width + x] = value;
    }

    public byte[] toPng() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = width * height;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = (to8Bit(planes[i]) << 16) | (to8Bit(planes[plane + i]) << 8)
                    | to8Bit(planes[2 * plane + i]);
        }
        image.setRGB(0, 0, width, height, rgb, 0, width);
        ByteArrayOutputStream out = new ByteArrayOutputStream(plane);
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode PNG", e);
        }
        return out.toByteArray();
    }

    public static RgbImage fromPng(byte[] png) {
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

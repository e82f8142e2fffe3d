package dev.stageflow.cli.report;

import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * A small copy of an image for a page that must hold its images itself: scaled down with Java2D and
 * encoded as a PNG {@code data:} URI. Enhanced images can be megapixels; their thumbnails keep a
 * report of hundreds of prompts a few megabytes.
 *
 * @param dataUri the thumbnail as a PNG {@code data:} URI
 * @param width the thumbnail's width
 * @param height the thumbnail's height
 * @param sourceWidth the original image's width
 * @param sourceHeight the original image's height
 */
public record Thumbnail(String dataUri, int width, int height, int sourceWidth, int sourceHeight) {

    /**
     * {@code image} (any format ImageIO reads, e.g. PNG) fitted into {@code longSide}; an
     * IllegalArgumentException if the bytes are not such an image.
     */
    public static Thumbnail of(byte[] image, int longSide) {
        BufferedImage source = decode(image);
        BufferedImage scaled = scaled(source, longSide);
        String dataUri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png(scaled));
        return new Thumbnail(dataUri, scaled.getWidth(), scaled.getHeight(), source.getWidth(), source.getHeight());
    }

    /**
     * The size {@code width}×{@code height} scaled down to fit {@code longSide} on its long side,
     * keeping its aspect ratio (each side at least 1 pixel); a smaller image keeps its size, as
     * scaling up adds nothing the browser could not do.
     */
    static Dimension fit(int width, int height, int longSide) {
        double scale = Math.min(1.0, (double) longSide / Math.max(width, height));
        return new Dimension(Math.max(1, (int) Math.round(width * scale)),
                Math.max(1, (int) Math.round(height * scale)));
    }

    /**
     * {@code image} fitted into {@code longSide}. One bilinear step from a large image samples only a
     * few source pixels per target pixel and aliases; halving step by step first averages them all.
     */
    static BufferedImage scaled(BufferedImage image, int longSide) {
        Dimension target = fit(image.getWidth(), image.getHeight(), longSide);
        BufferedImage current = image;
        while (current.getWidth() / 2 >= target.width && current.getHeight() / 2 >= target.height
                && (current.getWidth() > target.width || current.getHeight() > target.height)) {
            current = resized(current, current.getWidth() / 2, current.getHeight() / 2);
        }
        return current.getWidth() == target.width && current.getHeight() == target.height
                ? current
                : resized(current, target.width, target.height);
    }

    private static BufferedImage resized(BufferedImage image, int width, int height) {
        int type = image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage resized = new BufferedImage(width, height, type);
        Graphics2D graphics = resized.createGraphics();
        try {
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            graphics.drawImage(image, 0, 0, width, height, null);
        } finally {
            graphics.dispose();
        }
        return resized;
    }

    private static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("not an image ImageIO can read (" + bytes.length + " bytes)");
            }
            return image;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable image: " + e.getMessage(), e);
        }
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a thumbnail as PNG", e);
        }
        return out.toByteArray();
    }
}

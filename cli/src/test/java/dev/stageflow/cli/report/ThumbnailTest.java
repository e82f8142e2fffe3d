package dev.stageflow.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Thumbnails: fitted on the long side, never enlarged, colours kept, PNG data: URIs that decode. */
class ThumbnailTest {

    @Test
    void fitsTheLongSideKeepingTheAspectRatio() {
        assertThat(Thumbnail.fit(1024, 1024, 192)).isEqualTo(new Dimension(192, 192));
        assertThat(Thumbnail.fit(400, 200, 192)).isEqualTo(new Dimension(192, 96));
        assertThat(Thumbnail.fit(96, 128, 192)).isEqualTo(new Dimension(96, 128));
        assertThat(Thumbnail.fit(300, 1000, 192)).isEqualTo(new Dimension(58, 192));
        assertThat(Thumbnail.fit(2000, 3, 192)).isEqualTo(new Dimension(192, 1));
    }

    @Test
    void scalesALargeImageDownAndKeepsItsColours() throws IOException {
        Thumbnail thumbnail = Thumbnail.of(png(halves(1000, 500)), 192);

        assertThat(thumbnail).extracting(Thumbnail::width, Thumbnail::height, Thumbnail::sourceWidth,
                Thumbnail::sourceHeight).containsExactly(192, 96, 1000, 500);
        assertThat(thumbnail.dataUri()).startsWith("data:image/png;base64,");
        BufferedImage decoded = decode(thumbnail.dataUri());
        assertThat(decoded.getWidth()).isEqualTo(192);
        assertThat(decoded.getHeight()).isEqualTo(96);
        assertThat(new Color(decoded.getRGB(10, 48))).isEqualTo(Color.RED);
        assertThat(new Color(decoded.getRGB(181, 48))).isEqualTo(Color.BLUE);
    }

    @Test
    void leavesASmallImageItsSize() throws IOException {
        Thumbnail thumbnail = Thumbnail.of(png(halves(64, 96)), 192);

        assertThat(thumbnail).extracting(Thumbnail::width, Thumbnail::height).containsExactly(64, 96);
        assertThat(decode(thumbnail.dataUri()).getRGB(63, 0)).isEqualTo(Color.BLUE.getRGB());
    }

    @Test
    void bytesThatAreNoImageAreAnIllegalArgument() {
        assertThatThrownBy(() -> Thumbnail.of("not a png".getBytes(), 192))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an image ImageIO can read (9 bytes)");
    }

    /** Red on the left half, blue on the right. */
    private static BufferedImage halves(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.RED);
        graphics.fillRect(0, 0, width / 2, height);
        graphics.setColor(Color.BLUE);
        graphics.fillRect(width / 2, 0, width - width / 2, height);
        graphics.dispose();
        return image;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static BufferedImage decode(String dataUri) throws IOException {
        byte[] png = Base64.getDecoder().decode(dataUri.substring(dataUri.indexOf(',') + 1));
        return ImageIO.read(new ByteArrayInputStream(png));
    }
}

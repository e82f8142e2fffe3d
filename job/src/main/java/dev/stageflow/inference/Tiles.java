package dev.stageflow.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * How a learned enhancer covers an image with tiles: core tiles of at most {@code size} pixels a
 * side that partition the image, each read with {@code overlap} pixels of context on every side.
 * Only a tile's core goes to the output; its context gives the model's convolutions the same
 * neighbours as in one call on the whole image, so when the overlap reaches the model's receptive
 * radius the tiles join without a seam. Context beyond the image's edges repeats the edge pixels,
 * so the image's own borders are treated alike.
 */
final class Tiles {

    /**
     * A core region and the context region around it, in input pixels; the context holds the core
     * and may reach past the image.
     */
    record Tile(int x, int y, int width, int height, int contextX, int contextY, int contextWidth,
            int contextHeight) {}

    private Tiles() {}

    /** The tiles of a {@code width} × {@code height} image, row by row. */
    static List<Tile> cover(int width, int height, int size, int overlap) {
        List<Tile> tiles = new ArrayList<>();
        for (int y = 0; y < height; y += size) {
            int tileHeight = Math.min(size, height - y);
            int contextY = y - overlap;
            int contextHeight = tileHeight + 2 * overlap;
            for (int x = 0; x < width; x += size) {
                int tileWidth = Math.min(size, width - x);
                int contextX = x - overlap;
                int contextWidth = tileWidth + 2 * overlap;
                tiles.add(new Tile(x, y, tileWidth, tileHeight, contextX, contextY, contextWidth, contextHeight));
            }
        }
        return tiles;
    }
}

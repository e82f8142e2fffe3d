package dev.stageflow.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * How a learned enhancer covers an image with tiles: core tiles of at most {@code size} pixels a
 * side that partition the image, each read with up to {@code overlap} pixels of context around it
 * (less at the image's edges). Only a tile's core goes to the output; its context gives the
 * model's convolutions the same neighbours as in one call on the whole image, so when the
 * overlap reaches the model's receptive radius the tiles join without a seam.
 */
final class Tiles {

    /** A core region and the context region around it, in input pixels; the context holds the core. */
    record Tile(int x, int y, int width, int height, int contextX, int contextY, int contextWidth,
            int contextHeight) {}

    private Tiles() {}

    /** The tiles of a {@code width} × {@code height} image, row by row. */
    static List<Tile> cover(int width, int height, int size, int overlap) {
        List<Tile> tiles = new ArrayList<>();
        for (int y = 0; y < height; y += size) {
            int tileHeight = Math.min(size, height - y);
            int contextY = Math.max(0, y - overlap);
            int contextHeight = Math.min(height, y + tileHeight + overlap) - contextY;
            for (int x = 0; x < width; x += size) {
                int tileWidth = Math.min(size, width - x);
                int contextX = Math.max(0, x - overlap);
                int contextWidth = Math.min(width, x + tileWidth + overlap) - contextX;
                tiles.add(new Tile(x, y, tileWidth, tileHeight, contextX, contextY, contextWidth, contextHeight));
            }
        }
        return tiles;
    }
}

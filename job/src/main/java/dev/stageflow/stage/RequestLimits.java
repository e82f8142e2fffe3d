package dev.stageflow.stage;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.RequestOptions;
import dev.stageflow.model.Style;
import java.io.Serializable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/** Validated {@link RequestOptions}: what a valid prompt looks like and the defaults it gets. */
public final class RequestLimits implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Width and height must be multiples of this (the generator's latent is 1/8 of the image). */
    public static final int SIZE_MULTIPLE = 8;

    public final int maxLineBytes;
    public final int maxTextLength;
    public final int minSize;
    public final int maxSize;
    public final int maxSteps;
    public final int defaultWidth;
    public final int defaultHeight;
    public final int defaultSteps;
    public final Style defaultStyle;
    public final double defaultGuidance;

    /** Largest accepted guidance scale. */
    public static final double MAX_GUIDANCE = 100;

    public RequestLimits(
            int maxLineBytes,
            int maxTextLength,
            int minSize,
            int maxSize,
            int maxSteps,
            int defaultWidth,
            int defaultHeight,
            int defaultSteps,
            Style defaultStyle,
            double defaultGuidance) {
        this.maxLineBytes = maxLineBytes;
        this.maxTextLength = maxTextLength;
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.maxSteps = maxSteps;
        this.defaultWidth = defaultWidth;
        this.defaultHeight = defaultHeight;
        this.defaultSteps = defaultSteps;
        this.defaultStyle = defaultStyle;
        this.defaultGuidance = defaultGuidance;
        require(maxLineBytes > 0, RequestOptions.MAX_LINE_BYTES, "positive", maxLineBytes);
        require(maxTextLength > 0, RequestOptions.MAX_TEXT_LENGTH, "positive", maxTextLength);
        require(minSize >= SIZE_MULTIPLE && minSize <= maxSize, RequestOptions.MIN_SIZE,
                "from 8 to " + RequestOptions.MAX_SIZE.key() + " (" + maxSize + ")", minSize);
        require(maxSize <= 2048, RequestOptions.MAX_SIZE, "at most 2048", maxSize);
        require(maxSteps >= 1 && maxSteps <= 1000, RequestOptions.MAX_STEPS, "in 1..1000", maxSteps);
        require(isValidSize(defaultWidth), RequestOptions.DEFAULT_WIDTH, "a multiple of 8 within the size limits",
                defaultWidth);
        require(isValidSize(defaultHeight), RequestOptions.DEFAULT_HEIGHT, "a multiple of 8 within the size limits",
                defaultHeight);
        require(defaultSteps >= 1 && defaultSteps <= maxSteps, RequestOptions.DEFAULT_STEPS, "in 1.." + maxSteps,
                defaultSteps);
        require(isValidGuidance(defaultGuidance), RequestOptions.DEFAULT_GUIDANCE, "in 0.." + MAX_GUIDANCE,
                defaultGuidance);
    }

    public static RequestLimits defaults() {
        return from(new Configuration());
    }

    public static RequestLimits from(Configuration conf) {
        String style = conf.get(RequestOptions.DEFAULT_STYLE);
        return new RequestLimits(
                conf.get(RequestOptions.MAX_LINE_BYTES),
                conf.get(RequestOptions.MAX_TEXT_LENGTH),
                conf.get(RequestOptions.MIN_SIZE),
                conf.get(RequestOptions.MAX_SIZE),
                conf.get(RequestOptions.MAX_STEPS),
                conf.get(RequestOptions.DEFAULT_WIDTH),
                conf.get(RequestOptions.DEFAULT_HEIGHT),
                conf.get(RequestOptions.DEFAULT_STEPS),
                Style.parse(style).orElseThrow(() -> new IllegalConfigurationException(
                        RequestOptions.DEFAULT_STYLE.key() + " '" + style + "' is not one of "
                                + Style.allowedIds())),
                conf.get(RequestOptions.DEFAULT_GUIDANCE));
    }

    public boolean isValidSize(int pixels) {
        return pixels >= minSize && pixels <= maxSize && pixels % SIZE_MULTIPLE == 0;
    }

    public static boolean isValidGuidance(double guidance) {
        return guidance >= 0 && guidance <= MAX_GUIDANCE;
    }
}

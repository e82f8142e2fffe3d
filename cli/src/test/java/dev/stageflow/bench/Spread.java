package dev.stageflow.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Minimum, median and maximum of repeated measurements, and nearest-rank percentiles of samples. */
public record Spread(double min, double median, double max) {

    public static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("No measurements");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(sorted[0], median, sorted[n - 1]);
    }

    /** The nearest-rank {@code p}-th percentile (0 < p <= 100) of {@code samples}. */
    public static double percentile(double[] samples, double p) {
        if (samples.length == 0 || p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile " + p + " of " + samples.length + " samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[rank - 1];
    }

    Map<String, Double> toMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("min", min);
        map.put("median", median);
        map.put("max", max);
        return map;
    }

    @Override
    public String toString() {
        return String.format("%.3g (%.3g–%.3g)", median, min, max);
    }
}

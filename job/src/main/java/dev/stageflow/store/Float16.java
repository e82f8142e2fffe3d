package dev.stageflow.store;

/**
 * IEEE 754 binary16 ("half") conversions, which Java 17 lacks ({@code Float.floatToFloat16} came in
 * Java 20).
 *
 * <p>Rounding is to nearest, ties to even, with overflow to infinity and gradual underflow through
 * the subnormals, exactly as NumPy's {@code astype(np.float16)}: a stored latent must have the same
 * bits whether Java or NumPy wrote it, because its bytes are content-hashed.
 */
public final class Float16 {

    private static final int FLOAT_EXPONENT_BIAS = 127;
    private static final int FLOAT_MANTISSA_BITS = 23;
    private static final int HALF_EXPONENT_BIAS = 15;
    private static final int HALF_MANTISSA_BITS = 10;
    private static final int DROPPED_MANTISSA_BITS = FLOAT_MANTISSA_BITS - HALF_MANTISSA_BITS;
    private static final int HALF_EXPONENT_ALL_ONES = 0x1F;
    private static final int HALF_INFINITY = 0x7C00;
    private static final float HALF_SMALLEST_SUBNORMAL = 0x1p-24f;
    /** Below this biased half exponent a value is under half the smallest subnormal, so it is 0. */
    private static final int LOWEST_ROUNDABLE_HALF_EXPONENT = -HALF_MANTISSA_BITS;

    private Float16() {}

    /** The binary16 bits nearest to {@code value}; NaN stays NaN with its payload truncated. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> FLOAT_MANTISSA_BITS) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (sign | HALF_INFINITY | nanPayload(mantissa));
        }
        int halfExponent = exponent - FLOAT_EXPONENT_BIAS + HALF_EXPONENT_BIAS;
        if (halfExponent >= HALF_EXPONENT_ALL_ONES) {
            return (short) (sign | HALF_INFINITY);
        }
        if (halfExponent > 0) {
            // A carry out of the mantissa on rounding ripples into the exponent, up to infinity.
            int exponentAndMantissa = (halfExponent << FLOAT_MANTISSA_BITS) | mantissa;
            return (short) (sign | shiftRightRoundingToEven(exponentAndMantissa, DROPPED_MANTISSA_BITS));
        }
        if (halfExponent < LOWEST_ROUNDABLE_HALF_EXPONENT) {
            return (short) sign;
        }
        int mantissaWithImplicitOne = mantissa | (1 << FLOAT_MANTISSA_BITS);
        int subnormalShift = DROPPED_MANTISSA_BITS + 1 - halfExponent;
        return (short) (sign | shiftRightRoundingToEven(mantissaWithImplicitOne, subnormalShift));
    }

    /** The float for binary16 bits; exact, since every half is a float. */
    public static float toFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> HALF_MANTISSA_BITS) & HALF_EXPONENT_ALL_ONES;
        int mantissa = bits & 0x3FF;
        if (exponent == HALF_EXPONENT_ALL_ONES) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << DROPPED_MANTISSA_BITS));
        }
        if (exponent == 0) {
            float magnitude = mantissa * HALF_SMALLEST_SUBNORMAL;
            return sign == 0 ? magnitude : -magnitude;
        }
        int floatExponent = exponent - HALF_EXPONENT_BIAS + FLOAT_EXPONENT_BIAS;
        return Float.intBitsToFloat(
                sign | (floatExponent << FLOAT_MANTISSA_BITS) | (mantissa << DROPPED_MANTISSA_BITS));
    }

    /** The top payload bits, as NumPy keeps them; a NaN whose kept bits are all 0 gets 1 to stay NaN. */
    private static int nanPayload(int floatMantissa) {
        if (floatMantissa == 0) {
            return 0;
        }
        return Math.max(1, floatMantissa >>> DROPPED_MANTISSA_BITS);
    }

    private static int shiftRightRoundingToEven(int value, int shift) {
        int truncated = value >>> shift;
        int remainder = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        boolean roundUp = remainder > half || (remainder == half && (truncated & 1) == 1);
        return roundUp ? truncated + 1 : truncated;
    }
}

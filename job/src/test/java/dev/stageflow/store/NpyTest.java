package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.stageflow.store.Npy.NpyArray;
import dev.stageflow.store.Npy.NpyDType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected bytes and bit patterns below were produced with NumPy 2.4.6 ({@code numpy.save}, {@code astype}). */
class NpyTest {

    /** {@code numpy.save(f, np.arange(6, dtype='<f4').reshape(2, 3))}. */
    private static final String ARANGE_2X3_FLOAT32 =
            "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a20"
            + "46616c73652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020202020202020202020202020200a00000000"
            + "0000803f0000004000004040000080400000a040";

    /** {@code numpy.save(f, np.array([1.0, -2.0, 0.5], dtype='<f2'))}. */
    private static final String VECTOR_FLOAT16 =
            "934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a20"
            + "46616c73652c20277368617065273a2028332c292c207d202020202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020202020202020202020202020200a003c00c0"
            + "0038";

    @Test
    void writesTheSameBytesAsNumpyForAFloat32Matrix() {
        byte[] written = Npy.write(new float[] {0, 1, 2, 3, 4, 5}, new int[] {2, 3}, NpyDType.FLOAT32);

        assertThat(HexFormat.of().formatHex(written)).isEqualTo(ARANGE_2X3_FLOAT32);
    }

    @Test
    void writesTheSameBytesAsNumpyForAFloat16Vector() {
        byte[] written = Npy.write(new float[] {1f, -2f, 0.5f}, new int[] {3}, NpyDType.FLOAT16);

        assertThat(HexFormat.of().formatHex(written)).isEqualTo(VECTOR_FLOAT16);
    }

    @Test
    void writesTheLatentHeaderDictLikeNumpy() {
        byte[] written = Npy.write(new float[4 * 16 * 16], new int[] {4, 16, 16}, NpyDType.FLOAT16);

        String header = new String(written, 10, 118, StandardCharsets.ISO_8859_1);
        assertThat(header).isEqualTo("{'descr': '<f2', 'fortran_order': False, 'shape': (4, 16, 16), }"
                + " ".repeat(53) + "\n");
    }

    /** Header lengths from numpy.save; 15 and 36 ones cross a 64-byte block, 36 is NumPy's full-block pad. */
    @ParameterizedTest
    @CsvSource({"0, 128", "1, 128", "3, 128", "14, 128", "15, 192", "36, 256"})
    void padsTheHeaderToAMultipleOf64LikeNumpy(int dimensions, int expectedDataOffset) {
        int[] shape = new int[dimensions];
        Arrays.fill(shape, 1);

        byte[] written = Npy.write(new float[1], shape, NpyDType.FLOAT16);

        assertThat(written).hasSize(expectedDataOffset + 2);
        assertThat(expectedDataOffset % 64).isZero();
        assertThat(written[expectedDataOffset - 1]).isEqualTo((byte) '\n');
    }

    @Test
    void roundTripsFloat32Exactly() {
        float[] data = randomFloats(4 * 8 * 8, 7);
        data[0] = Float.NaN;
        data[1] = Float.NEGATIVE_INFINITY;
        data[2] = Float.MIN_VALUE;
        data[3] = -0f;

        NpyArray read = Npy.read(Npy.write(data, new int[] {4, 8, 8}, NpyDType.FLOAT32));

        assertThat(read.dtype()).isEqualTo(NpyDType.FLOAT32);
        assertThat(read.shape()).containsExactly(4, 8, 8);
        assertThat(bits(read.data())).containsExactly(bits(data));
    }

    @Test
    void roundTripsFloat16WithinHalfPrecision() {
        float[] data = randomFloats(2 * 3 * 5, 11);

        NpyArray read = Npy.read(Npy.write(data, new int[] {2, 3, 5}, NpyDType.FLOAT16));

        assertThat(read.dtype()).isEqualTo(NpyDType.FLOAT16);
        assertThat(read.shape()).containsExactly(2, 3, 5);
        for (int i = 0; i < data.length; i++) {
            float halfPrecisionRoundingError = Math.ulp(data[i]) * (1 << 12);
            assertThat(read.data()[i]).isCloseTo(data[i], offset(halfPrecisionRoundingError));
        }
    }

    @Test
    void readsNumpyWrittenFiles() {
        NpyArray matrix = Npy.read(HexFormat.of().parseHex(ARANGE_2X3_FLOAT32));
        NpyArray vector = Npy.read(HexFormat.of().parseHex(VECTOR_FLOAT16));

        assertThat(matrix.shape()).containsExactly(2, 3);
        assertThat(matrix.data()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(vector.shape()).containsExactly(3);
        assertThat(vector.data()).containsExactly(1f, -2f, 0.5f);
    }

    @Test
    void readsAScalar() {
        NpyArray scalar = Npy.read(Npy.write(new float[] {42f}, new int[0], NpyDType.FLOAT32));

        assertThat(scalar.shape()).isEmpty();
        assertThat(scalar.data()).containsExactly(42f);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0.0, 0000", "-0.0, 8000", "1.0, 3c00", "-1.5, be00", "0.1, 2e66", "0.33333334, 3555",
        "65504.0, 7bff", "65519.0, 7bff", "65520.0, 7c00", "1.0E6, 7c00", "Infinity, 7c00", "-Infinity, fc00",
        "NaN, 7e00", "2049.0, 6800", "2051.0, 6802",
        "6.1035156E-5, 0400", "6.1E-5, 03ff", "-6.097555E-5, 83ff",
        "5.9604645E-8, 0001", "8.940697E-8, 0002", "2.9802322E-8, 0000", "2.99E-8, 0001", "1.0E-8, 0000",
        "1.4E-45, 0000"
    })
    void convertsToHalfLikeNumpy(float value, String expectedHex) {
        assertThat(HexFormat.of().toHexDigits(Float16.fromFloat(value))).isEqualTo(expectedHex);
    }

    /** NumPy keeps the top ten payload bits of a NaN and never turns it into infinity. */
    @ParameterizedTest(name = "0x{0} -> {1}")
    @CsvSource({"7fc00000, 7e00", "ffc00000, fe00", "7fadc365, 7d6e", "7f90a04a, 7c85", "7f800001, 7c01"})
    void keepsNanPayloadsLikeNumpy(String floatHex, String expectedHex) {
        float nan = Float.intBitsToFloat(HexFormat.fromHexDigits(floatHex));

        assertThat(HexFormat.of().toHexDigits(Float16.fromFloat(nan))).isEqualTo(expectedHex);
    }

    @Test
    void everyNonNanHalfSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            short half = (short) bits;
            float value = Float16.toFloat(half);
            if (Float.isNaN(value)) {
                continue;
            }
            assertThat(Float16.fromFloat(value)).as("half 0x%04x", bits).isEqualTo(half);
        }
    }

    @Test
    void halfNanReadsAsNan() {
        assertThat(Float16.toFloat((short) 0x7e00)).isNaN();
        assertThat(Float16.toFloat((short) 0xfc01)).isNaN();
    }

    @Test
    void parsesTheConfiguredDtypeNames() {
        assertThat(NpyDType.parse("float16")).isEqualTo(NpyDType.FLOAT16);
        assertThat(NpyDType.parse("float32")).isEqualTo(NpyDType.FLOAT32);
        assertThatThrownBy(() -> NpyDType.parse("float64")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'float64'")
                .hasMessageContaining("float16, float32");
    }

    @Test
    void rejectsDataThatDoesNotFitTheShape() {
        assertThatThrownBy(() -> Npy.write(new float[5], new int[] {2, 3}, NpyDType.FLOAT32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]")
                .hasMessageContaining("5");
    }

    @Test
    void rejectsABadMagicString() {
        byte[] bytes = HexFormat.of().parseHex(ARANGE_2X3_FLOAT32);
        bytes[1] = 'X';

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void rejectsAnUnsupportedVersion() {
        byte[] bytes = HexFormat.of().parseHex(ARANGE_2X3_FLOAT32);
        bytes[6] = 2;

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 2.0");
    }

    @Test
    void rejectsAnUnsupportedDtype() {
        byte[] bytes = replaceInHeader(ARANGE_2X3_FLOAT32, "'<f4'", "'<f8'");

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dtype '<f8'");
    }

    @Test
    void rejectsFortranOrder() {
        byte[] bytes = replaceInHeader(ARANGE_2X3_FLOAT32, "False", "True ");

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Fortran order");
    }

    @Test
    void rejectsTruncatedData() {
        byte[] bytes = HexFormat.of().parseHex(ARANGE_2X3_FLOAT32);

        assertThatThrownBy(() -> Npy.read(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Length mismatch")
                .hasMessageContaining("needs 24 bytes, found 23");
    }

    @Test
    void rejectsAHeaderLongerThanTheFile() {
        byte[] bytes = Arrays.copyOf(HexFormat.of().parseHex(ARANGE_2X3_FLOAT32), 60);

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Length mismatch");
    }

    private static byte[] replaceInHeader(String hex, String target, String replacement) {
        String text = new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
        return text.replace(target, replacement).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static float[] randomFloats(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian() * 4f;
        }
        return values;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}

package dev.stageflow.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and writes NumPy {@code .npy} files, format version 1.0, so that stored latents open with a
 * plain {@code numpy.load} and nothing else.
 *
 * <p>Written files are byte-identical to what {@code numpy.save} (NumPy 2.x) produces for the same
 * array: little-endian, C order, the header dict in NumPy's key order, the spare spaces NumPy leaves
 * after the dict for growing the first axis in place, and space padding ending in {@code '\n'} up to
 * a multiple of 64 bytes (a full 64 when already aligned, as NumPy does). Identical bytes mean
 * identical content hashes, whichever side wrote the file.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte MAJOR_VERSION = 1;
    private static final byte MINOR_VERSION = 0;
    private static final int PREFIX_LENGTH = MAGIC.length + 2 + 2;
    private static final int ALIGNMENT = 64;
    private static final int MAX_HEADER_LENGTH = 0xFFFF;
    /** NumPy reserves room for this many digits in the first dimension (GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN_ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** An array read from a {@code .npy} file, values widened to float. */
    public record NpyArray(float[] data, int[] shape, NpyDType dtype) {}

    /** The element types written and read: little-endian IEEE floats. */
    public enum NpyDType {
        FLOAT16("<f2", 2) {
            @Override
            void put(ByteBuffer buffer, float value) {
                buffer.putShort(Float16.fromFloat(value));
            }

            @Override
            float get(ByteBuffer buffer) {
                return Float16.toFloat(buffer.getShort());
            }
        },
        FLOAT32("<f4", 4) {
            @Override
            void put(ByteBuffer buffer, float value) {
                buffer.putFloat(value);
            }

            @Override
            float get(ByteBuffer buffer) {
                return buffer.getFloat();
            }
        };

        private final String descr;
        private final int byteSize;

        NpyDType(String descr, int byteSize) {
            this.descr = descr;
            this.byteSize = byteSize;
        }

        /** The NumPy type string in the header, e.g. {@code <f4}. */
        public String descr() {
            return descr;
        }

        public int byteSize() {
            return byteSize;
        }

        /** The configuration name, e.g. {@code float16}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The type named {@code id} ({@code float16} or {@code float32}). */
        public static NpyDType parse(String id) {
            return Arrays.stream(values()).filter(type -> type.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown tensor dtype '" + id
                            + "', allowed: " + listOf(NpyDType::id)));
        }

        static Optional<NpyDType> fromDescr(String descr) {
            return Arrays.stream(values()).filter(type -> type.descr.equals(descr)).findFirst();
        }

        private static String listOf(Function<NpyDType, String> name) {
            return Arrays.stream(values()).map(name).collect(Collectors.joining(", "));
        }

        /** Writes one element at the position of a little-endian buffer. */
        abstract void put(ByteBuffer buffer, float value);

        /** Reads one element at the position of a little-endian buffer. */
        abstract float get(ByteBuffer buffer);
    }

    /** The {@code .npy} bytes of {@code data} (C order) with the given shape and element type. */
    public static byte[] write(float[] data, int[] shape, NpyDType dtype) {
        int elements = elementCount(shape);
        if (elements != data.length) {
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " holds " + elements
                    + " elements, but the data has " + data.length);
        }
        byte[] header = header(shape, dtype);
        ByteBuffer buffer = ByteBuffer.allocate(header.length + data.length * dtype.byteSize())
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(header);
        for (float value : data) {
            dtype.put(buffer, value);
        }
        return buffer.array();
    }

    /** Parses a version 1.0 {@code .npy} file of little-endian float16 or float32 in C order. */
    public static NpyArray read(byte[] bytes) {
        int headerLength = checkedHeaderLength(bytes);
        String header = new String(bytes, PREFIX_LENGTH, headerLength, StandardCharsets.ISO_8859_1);
        NpyDType dtype = parseDType(header);
        checkCOrder(header);
        int[] shape = parseShape(header);
        int elements = elementCount(shape);
        int dataOffset = PREFIX_LENGTH + headerLength;
        long expectedBytes = (long) elements * dtype.byteSize();
        if (bytes.length - dataOffset != expectedBytes) {
            throw new IllegalArgumentException("Length mismatch in .npy data: shape " + Arrays.toString(shape)
                    + " of " + dtype.descr() + " needs " + expectedBytes + " bytes, found "
                    + (bytes.length - dataOffset));
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, dataOffset, bytes.length - dataOffset)
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[elements];
        for (int i = 0; i < data.length; i++) {
            data[i] = dtype.get(buffer);
        }
        return new NpyArray(data, shape, dtype);
    }

    private static byte[] header(int[] shape, NpyDType dtype) {
        String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': "
                + shapeTuple(shape) + ", }" + growthSpare(shape);
        int unpadded = PREFIX_LENGTH + dict.length() + 1;
        String padded = dict + " ".repeat(ALIGNMENT - unpadded % ALIGNMENT) + "\n";
        if (padded.length() > MAX_HEADER_LENGTH) {
            throw new IllegalArgumentException(
                    "Shape with " + shape.length + " dimensions does not fit a version 1.0 .npy header");
        }
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX_LENGTH + padded.length()).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put(MAGIC).put(MAJOR_VERSION).put(MINOR_VERSION).putShort((short) padded.length());
        prefix.put(padded.getBytes(StandardCharsets.ISO_8859_1));
        return prefix.array();
    }

    private static String shapeTuple(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String growthSpare(int[] shape) {
        return shape.length == 0 ? "" : " ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
    }

    /** The header length from a prefix that passed the magic, version and length checks. */
    private static int checkedHeaderLength(byte[] bytes) {
        if (bytes.length < PREFIX_LENGTH || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException("Not a .npy file: bad magic string");
        }
        byte major = bytes[MAGIC.length];
        byte minor = bytes[MAGIC.length + 1];
        if (major != MAJOR_VERSION || minor != MINOR_VERSION) {
            throw new IllegalArgumentException("Unsupported .npy version " + major + "." + minor + ", only 1.0");
        }
        int headerLength = ByteBuffer.wrap(bytes, MAGIC.length + 2, 2).order(ByteOrder.LITTLE_ENDIAN).getShort()
                & 0xFFFF;
        if (PREFIX_LENGTH + headerLength > bytes.length) {
            throw new IllegalArgumentException("Length mismatch: .npy header of " + headerLength
                    + " bytes is longer than the remaining " + (bytes.length - PREFIX_LENGTH));
        }
        return headerLength;
    }

    private static NpyDType parseDType(String header) {
        String descr = headerValue(DESCR, header, "descr");
        return NpyDType.fromDescr(descr).orElseThrow(() -> new IllegalArgumentException(
                "Unsupported .npy dtype '" + descr + "', only " + NpyDType.listOf(NpyDType::descr)));
    }

    private static void checkCOrder(String header) {
        if (headerValue(FORTRAN_ORDER, header, "fortran_order").equals("True")) {
            throw new IllegalArgumentException("Unsupported .npy array in Fortran order, only C order");
        }
    }

    private static int[] parseShape(String header) {
        String tuple = headerValue(SHAPE, header, "shape");
        try {
            return Arrays.stream(tuple.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad .npy shape (" + tuple + ")", e);
        }
    }

    private static String headerValue(Pattern pattern, String header, String key) {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new IllegalArgumentException("The .npy header lacks a valid '" + key + "': " + header.trim());
        }
        return matcher.group(1);
    }

    private static int elementCount(int[] shape) {
        long count = 1;
        for (int dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape));
            }
            count *= dimension;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " exceeds a Java array");
            }
        }
        return (int) count;
    }
}

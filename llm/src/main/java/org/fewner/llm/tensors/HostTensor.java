package org.fewner.llm.tensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in Java memory, as stored in a file: element type, shape and little-endian row-major
 * bytes. Floating types convert to F32 ({@link #toFloats()}, {@link #toNDArray}); BF16/F16 are
 * widened here in Java because DJL's PyTorch JNI aborts the JVM on BF16 (stack.md, section 2).
 *
 * @param dtype element type of {@code data}
 * @param shape dimensions, row-major; {@code []} is a scalar
 * @param data exactly {@code numel * dtype.byteSize()} bytes from position 0 (a read-only view is
 *     fine)
 */
public record HostTensor(DType dtype, long[] shape, ByteBuffer data) {

    public HostTensor {
        shape = shape.clone();
        long expected = numel(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(
                    "tensor of dtype "
                            + dtype
                            + " and shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + expected
                            + " bytes, got "
                            + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A read-only little-endian view of the bytes. */
    @Override
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, b);
    }

    public static HostTensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new HostTensor(DType.I64, shape, b);
    }

    /** Copies an F32 or I64/I32 NDArray (any device) into Java memory. */
    public static HostTensor of(NDArray array) {
        NDArray cpu = array.getDevice().isGpu() ? array.toDevice(ai.djl.Device.cpu(), true) : array;
        DType t =
                switch (array.getDataType()) {
                    case FLOAT32 -> DType.F32;
                    case INT64 -> DType.I64;
                    case INT32 -> DType.I32;
                    default ->
                            throw new IllegalArgumentException(
                                    "cannot store NDArray of type " + array.getDataType());
                };
        ByteBuffer src = cpu.toByteBuffer();
        ByteBuffer copy = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(src.order(ByteOrder.nativeOrder()));
        copy.flip();
        return new HostTensor(t, array.getShape().getShape(), copy);
    }

    /** The values as F32, widening F16/BF16; integer tensors are refused. */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(2 * i));
                }
            }
            default ->
                    throw new IllegalStateException(
                            "tensor of dtype " + dtype + " is not floating point");
        }
        return out;
    }

    /**
     * IEEE 754 binary16 to float32, exact (subnormals, infinities and NaN included). Written here
     * because {@code Float.float16ToFloat} arrived only in Java 20 and we target 17.
     */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant · 2^-24, exact in float32
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Index of the first NaN or infinite element of a floating-point tensor, or -1 when all are
     * finite (and for integer tensors). One pass over the raw bits, no copy.
     */
    public long firstNonFinite() {
        ByteBuffer b = data();
        long n = numel();
        switch (dtype) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    // exponent bits all ones: infinity or NaN
                    if ((b.getInt(4 * i) & 0x7f800000) == 0x7f800000) {
                        return i;
                    }
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getShort(2 * i) & 0x7c00) == 0x7c00) {
                        return i;
                    }
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getShort(2 * i) & 0x7f80) == 0x7f80) {
                        return i;
                    }
                }
            }
            default -> {}
        }
        return -1;
    }

    /** The value at {@code index} as a float (F32/F16/BF16), for messages about a bad element. */
    public float floatAt(long index) {
        int i = Math.toIntExact(index);
        ByteBuffer b = data();
        return switch (dtype) {
            case F32 -> b.getFloat(4 * i);
            case F16 -> halfToFloat(b.getShort(2 * i));
            case BF16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
            default -> b.getInt(4 * i);
        };
    }

    /** The values as longs (I64 or I32). */
    public long[] toLongs() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            default ->
                    throw new IllegalStateException(
                            "tensor of dtype " + dtype + " is not an integer type");
        }
        return out;
    }

    /**
     * An NDArray on {@code manager}'s device: F32 for floating types (widened in Java), I64/I32 as
     * stored.
     */
    public NDArray toNDArray(NDManager manager) {
        Shape s = new Shape(shape);
        return switch (dtype) {
            case F32 -> manager.create(data().asFloatBuffer(), s, DataType.FLOAT32);
            case F16, BF16 -> manager.create(toFloats(), s);
            case I64 -> manager.create(data().asLongBuffer(), s, DataType.INT64);
            case I32 -> manager.create(data().asIntBuffer(), s, DataType.INT32);
        };
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h
                && h.dtype == dtype
                && Arrays.equals(h.shape, shape)
                && h.data().equals(data());
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }
}

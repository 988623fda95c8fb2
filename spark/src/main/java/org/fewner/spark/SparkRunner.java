package org.fewner.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The part of the command that touches Spark (loaded only when a command runs). */
final class SparkRunner {
    private SparkRunner() {}

    /** A session for {@code master} (null: spark-submit's, else local[*]). */
    static SparkSession session(String master, String app) {
        SparkSession.Builder b = SparkSession.builder().appName(app);
        boolean submitted = System.getProperty("spark.master") != null;
        if (master != null) {
            b.master(master);
        } else if (!submitted) {
            b.master("local[*]");
        }
        if (!submitted) b.config("spark.ui.enabled", "false");
        return b.getOrCreate();
    }

    /**
     * Runs the job of {@code cmd}. Spark's checked exceptions (a failed job's {@code
     * SparkException}, thrown undeclared by Scala code) pass as they are: a user error on their
     * cause chain is found by the command line's handlers.
     */
    static Map<String, Object> annotate(SparkAnnotateCommand cmd, FewNerSparkConfig config) {
        SparkSession spark = session(cmd.master, "fewner spark annotate");
        try {
            return SparkAnnotateJob.run(
                    spark,
                    cmd.input,
                    cmd.output,
                    cmd.outputFormat,
                    cmd.overwrite,
                    cmd.partitions,
                    config);
        } finally {
            spark.stop();
        }
    }
}

package org.fewner.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a recommender's state belongs to: an INCEpTION project, a layer (a UIMA type name) and the
 * feature that takes the label.
 */
public record RecommenderKey(long projectId, String layer, String feature) {

    /**
     * A directory name for this key: {@code p<projectId>-<16 hex digits of SHA-256(layer,
     * feature)>}.
     */
    public String directoryName() {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest((layer + "\n" + feature).getBytes(StandardCharsets.UTF_8));
            return "p" + projectId + "-" + HexFormat.of().formatHex(h).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "project " + projectId + ", " + layer + "." + feature;
    }
}

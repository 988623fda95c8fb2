package org.fewner.training.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.fewner.common.FewNerException;

/**
 * How {@code training.json} names a data file: its corpus ({@link SourceCorpora#corpusName}), its
 * file name and its sha256 -- never its path, which is only valid on the machine that trained.
 *
 * @param corpus the corpus name, e.g. {@code crossner-ai}, {@code few-nerd-inter}
 * @param file the file name, e.g. {@code train.txt}
 * @param sha256 the file's SHA-256, lower-case hex
 */
public record FileRef(String corpus, String file, String sha256) {

    /** The reference of an existing file. */
    public static FileRef of(Path f) {
        return new FileRef(SourceCorpora.corpusName(f), f.getFileName().toString(), sha256(f));
    }

    /** SHA-256 of a file's bytes, lower-case hex. */
    public static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new FewNerException(f + ": cannot read: " + e.getMessage(), e);
        }
    }
}

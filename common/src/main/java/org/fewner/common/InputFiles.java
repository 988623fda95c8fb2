package org.fewner.common;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Checks on a path the user gave where a file (or a directory) is expected, each failure with its
 * own one-line message: "-" (standard input is not read here), a missing path, a directory where a
 * file is expected, a FIFO or device, an unreadable file.
 */
public final class InputFiles {
    private InputFiles() {}

    /** Returns {@code file} when it is a readable regular file, else a {@link FewNerException}. */
    public static Path requireFile(Path file) {
        if (file.toString().equals("-")) {
            throw new FewNerException(
                    "-: reading standard input is not supported here (give a file name)");
        }
        if (Files.isDirectory(file)) {
            throw new FewNerException(file + ": is a directory (expected a file)");
        }
        if (!Files.exists(file)) {
            throw new FewNerException(file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new FewNerException(
                    file + ": not a regular file (a FIFO, socket or device?); expected a file");
        }
        if (!Files.isReadable(file)) {
            throw new FewNerException(file + ": cannot read (permission denied)");
        }
        return file;
    }

    /** Returns {@code dir} when it is a directory, else a {@link FewNerException}. */
    public static Path requireDirectory(Path dir, String expected) {
        if (dir.toString().equals("-")) {
            throw new FewNerException(
                    "-: reading standard input is not supported here (give a directory)");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.exists(dir)) {
            throw new FewNerException(dir + ": no such directory (expected " + expected + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw new FewNerException(dir + ": not a directory (expected " + expected + ")");
        }
        return dir;
    }
}

package org.fewner.pipeline;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;

/** Plain-text input files as CASes (UTF-8, strict), with DKPro's {@code DocumentMetaData}. */
public final class TextDocuments {
    private TextDocuments() {}

    /**
     * The files named by {@code inputs}: a file as is, a directory's regular files (recursively,
     * sorted by path; hidden files skipped).
     *
     * @throws FewNerException for an input that does not exist or a directory without files
     */
    public static List<Path> expand(List<Path> inputs) {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isRegularFile(in)) {
                out.add(in);
            } else if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    List<Path> files =
                            s.filter(Files::isRegularFile)
                                    .filter(p -> !p.getFileName().toString().startsWith("."))
                                    .sorted()
                                    .toList();
                    if (files.isEmpty()) {
                        throw new FewNerException(in + ": directory holds no file");
                    }
                    out.addAll(files);
                } catch (IOException e) {
                    throw new FewNerException(in + ": cannot list the directory: " + e, e);
                }
            } else {
                throw new FewNerException(in + ": no such file or directory");
            }
        }
        return out;
    }

    /**
     * Fills {@code jcas} with the text of {@code file} (exactly as in the file, so offsets are
     * UTF-16 code units of the file's text), language {@code language}, and {@code
     * DocumentMetaData}: id = the file name, URI = the file, base URI = its directory, collection
     * id = the directory's name.
     *
     * @throws FewNerException when the file is not valid UTF-8 or cannot be read
     */
    public static void load(JCas jcas, Path file, String language) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new FewNerException(file + ": not valid UTF-8 text (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e, e);
        }
        jcas.setDocumentText(text);
        jcas.setDocumentLanguage(language);
        Path abs = file.toAbsolutePath().normalize();
        DocumentMetaData meta = DocumentMetaData.create(jcas);
        meta.setDocumentId(abs.getFileName().toString());
        meta.setDocumentTitle(abs.getFileName().toString());
        meta.setDocumentUri(abs.toUri().toString());
        Path dir = abs.getParent();
        meta.setDocumentBaseUri(dir.toUri().toString());
        meta.setCollectionId(dir.getFileName() == null ? "" : dir.getFileName().toString());
    }
}

package org.fewner.uimaannotator;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.uima.cas.impl.XmiCasDeserializer;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.readers.Chunk;
import org.fewner.readers.ColumnFileParser;
import org.fewner.readers.Episode;
import org.fewner.readers.EpisodeParser;
import org.fewner.readers.FormatException;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;
import org.fewner.readers.TagDecoder;
import org.fewner.readers.TagScheme;

/**
 * Reads a few-shot support set from a file, a class-path resource or a URL in one of FewNER's
 * reader formats ({@code conll2003}, {@code conll}, {@code fewnerd-episodes}: the first episode's
 * support part) or from UIMA XMI ({@code xmi}: DKPro {@code Sentence}, {@code Token} and {@code
 * NamedEntity} with the label in {@code value}), or from the gold annotations a CAS carries ({@link
 * #fromCas}).
 */
public final class SupportFiles {
    /** The format names, as {@code fewner stats} names them, plus {@code xmi}. */
    public static final List<String> FORMATS =
            List.of("conll2003", "conll", "fewnerd-episodes", "xmi");

    private SupportFiles() {}

    /**
     * The support set at {@code location}: a file path, a {@code file:} URL, a {@code classpath:}
     * resource (the thread's context class loader, then this class's), or any other URL Java reads
     * ({@code jar:}, {@code http:}); a resource that is not a file is copied to a temporary file,
     * read and deleted.
     *
     * @throws FewNerException as {@link #read(Path, String, List)}, and for a location that names
     *     nothing
     */
    public static SupportSet read(String location, String format, List<String> types) {
        URL url = url(location);
        if (url == null) {
            return read(Path.of(location), format, types);
        }
        if (url.getProtocol().equals("file")) {
            try {
                return read(Path.of(url.toURI()), format, types);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw new FewNerException(location + ": not a usable file URL: " + e.getMessage());
            }
        }
        Path tmp = null;
        try (InputStream in = url.openStream()) {
            tmp = Files.createTempFile("fewner-support-", ".tmp");
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try {
                return read(tmp, format, types);
            } catch (FewNerException e) {
                // name what the user gave, not the temporary copy
                throw new FewNerException(
                        e.getMessage().replace(tmp.toString(), location), e.getCause());
            }
        } catch (IOException e) {
            throw new FewNerException(location + ": cannot read the support set: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless; the read's outcome is what matters
                }
            }
        }
    }

    /** The URL that {@code location} names, or null for a plain path. */
    static URL url(String location) {
        if (location.startsWith("classpath:")) {
            String path = location.substring("classpath:".length()).replaceFirst("^/+", "");
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            URL u = context == null ? null : context.getResource(path);
            if (u == null) u = SupportFiles.class.getClassLoader().getResource(path);
            if (u == null) {
                throw new FewNerException(location + ": no such resource on the class path");
            }
            return u;
        }
        // a scheme of two letters or more (a one-letter "scheme" is a Windows drive)
        if (!location.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")) {
            return null;
        }
        try {
            return new URL(location);
        } catch (java.net.MalformedURLException e) {
            throw new FewNerException(
                    location + ": not a file, classpath: location or URL (" + e.getMessage() + ")");
        }
    }

    /**
     * The support set in {@code file}.
     *
     * @param types the entity types to keep, in this order; empty: every label of the file, in
     *     order of first appearance. Mentions of other labels are dropped.
     * @throws FewNerException for a missing or malformed file, an unknown format, or a type with no
     *     example in the file
     */
    public static SupportSet read(Path file, String format, List<String> types) {
        if (!Files.isRegularFile(file)) {
            throw new FewNerException(file + ": no such support file");
        }
        List<LabeledSentence> sentences;
        try {
            sentences =
                    switch (format) {
                        case "conll2003" -> columns(file, 4, "token POS chunk NER");
                        case "conll" -> columns(file, 2, "token<TAB>label");
                        case "fewnerd-episodes" -> episode(file);
                        case "xmi" -> xmi(file);
                        default ->
                                throw new FewNerException(
                                        file
                                                + ": unknown support format '"
                                                + format
                                                + "' (expected "
                                                + String.join(", ", FORMATS)
                                                + ")");
                    };
        } catch (FormatException e) {
            throw new FewNerException(e.getMessage(), e);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read the support file: " + e, e);
        }
        if (sentences.isEmpty()) {
            throw new FewNerException(file + ": no sentences in the support file");
        }
        return restrict(file.toString(), sentences, types);
    }

    /** Keeps the mentions of {@code types} (all when empty); every type needs an example. */
    static SupportSet restrict(String where, List<LabeledSentence> sentences, List<String> types) {
        Set<String> seen = new LinkedHashSet<>();
        for (LabeledSentence s : sentences) {
            for (Mention m : s.mentions()) {
                seen.add(m.label());
            }
        }
        List<String> wanted = types == null || types.isEmpty() ? List.copyOf(seen) : types;
        if (wanted.isEmpty()) {
            throw new FewNerException(where + ": no entity in the support file");
        }
        for (String t : wanted) {
            if (!seen.contains(t)) {
                throw new FewNerException(
                        where
                                + ": entity type '"
                                + t
                                + "' has no example in the support file (its labels: "
                                + String.join(", ", seen)
                                + ")");
            }
        }
        List<LabeledSentence> kept = new ArrayList<>();
        for (LabeledSentence s : sentences) {
            List<Mention> ms = new ArrayList<>();
            for (Mention m : s.mentions()) {
                if (wanted.contains(m.label())) {
                    ms.add(m);
                }
            }
            kept.add(new LabeledSentence(s.sentence(), ms));
        }
        return new SupportSet(wanted, kept);
    }

    private static List<LabeledSentence> columns(Path file, int columns, String hint)
            throws IOException {
        List<LabelledSentence> raw = new ArrayList<>();
        try (ColumnFileParser p = new ColumnFileParser(LineReader.open(file), columns, hint)) {
            LabelledSentence s;
            while ((s = p.next()) != null) {
                raw.add(s);
            }
        }
        List<String> labels = new ArrayList<>();
        raw.forEach(s -> labels.addAll(s.labels()));
        TagScheme scheme = TagDecoder.detect(labels);
        List<LabeledSentence> out = new ArrayList<>();
        for (LabelledSentence s : raw) {
            int line = s.lines().length > 0 ? s.lines()[0] : 0;
            out.add(labeled(file + ":" + line, s, s.chunks(file.toString(), line, scheme, false)));
        }
        return out;
    }

    private static List<LabeledSentence> episode(Path file) throws IOException {
        try (EpisodeParser parser = new EpisodeParser(LineReader.open(file))) {
            Episode e = parser.next();
            if (e == null) {
                throw new FewNerException(file + ": no episode in the file");
            }
            List<LabeledSentence> out = new ArrayList<>();
            int i = 0;
            for (LabelledSentence s : e.support()) {
                out.add(
                        labeled(
                                file + ":" + e.line() + "#support" + i++,
                                s,
                                s.chunks(file.toString(), e.line(), TagScheme.IO, false)));
            }
            return out;
        }
    }

    private static LabeledSentence labeled(String id, LabelledSentence s, List<Chunk> chunks) {
        List<Mention> ms = new ArrayList<>();
        for (Chunk c : chunks) {
            ms.add(new Mention(c.start(), c.end(), c.type()));
        }
        return new LabeledSentence(new WordSentence(id, s.tokens()), ms);
    }

    /** Reports nothing itself: a fatal error is thrown (and becomes the one-line message). */
    private static final org.xml.sax.ErrorHandler SILENT =
            new org.xml.sax.ErrorHandler() {
                @Override
                public void warning(org.xml.sax.SAXParseException e) {}

                @Override
                public void error(org.xml.sax.SAXParseException e) {}

                @Override
                public void fatalError(org.xml.sax.SAXParseException e)
                        throws org.xml.sax.SAXParseException {
                    throw e;
                }
            };

    private static List<LabeledSentence> xmi(Path file) throws IOException {
        JCas jcas;
        try {
            jcas = JCasFactory.createJCas();
        } catch (org.apache.uima.UIMAException e) {
            throw new IllegalStateException("cannot create a CAS with the detected types", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            // our own reader with a silent error handler: the JDK's default handler prints a
            // "[Fatal Error] ..." line on stderr before the exception is thrown
            javax.xml.parsers.SAXParserFactory f = javax.xml.parsers.SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
            org.xml.sax.XMLReader reader = f.newSAXParser().getXMLReader();
            reader.setContentHandler(
                    new XmiCasDeserializer(jcas.getTypeSystem())
                            .getXmiCasHandler(jcas.getCas(), true));
            reader.setErrorHandler(SILENT);
            reader.parse(new org.xml.sax.InputSource(in));
        } catch (org.xml.sax.SAXParseException e) {
            throw new FewNerException(
                    file
                            + (e.getLineNumber() > 0 ? ":" + e.getLineNumber() : "")
                            + ": not a UIMA XMI file: "
                            + FewNerException.quote(String.valueOf(e.getMessage())),
                    e);
        } catch (org.xml.sax.SAXException e) {
            throw new FewNerException(
                    file
                            + ": not a UIMA XMI file: "
                            + FewNerException.quote(String.valueOf(e.getMessage())),
                    e);
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("no XML parser", e);
        }
        List<LabeledSentence> out = sentences(file.toString(), jcas);
        if (out.isEmpty() && !jcas.getDocumentText().isBlank()) {
            throw new FewNerException(
                    file
                            + ": no Sentence with Token annotations in the XMI (expected DKPro's "
                            + "Sentence, Token and NamedEntity)");
        }
        return out;
    }

    /**
     * The support set a CAS (or one of its views) carries: its DKPro {@code Sentence}s with their
     * {@code Token}s, each {@code NamedEntity} a mention labelled by its {@code value}, as {@link
     * #read(Path, String, List)} keeps {@code types}.
     *
     * @param where what to name in messages (a view, a document)
     * @throws FewNerException when the CAS holds no labelled sentence, a mention does not start and
     *     end at token boundaries, or a type has no example
     */
    public static SupportSet fromCas(String where, JCas jcas, List<String> types) {
        List<LabeledSentence> sentences = sentences(where, jcas);
        if (sentences.isEmpty()) {
            throw new FewNerException(
                    where
                            + ": no Sentence with Token annotations (expected DKPro's Sentence, Token"
                            + " and NamedEntity)");
        }
        return restrict(where, sentences, types);
    }

    /** DKPro {@code Sentence}s with their tokens and {@code NamedEntity} mentions. */
    private static List<LabeledSentence> sentences(String where, JCas jcas) {
        List<LabeledSentence> out = new ArrayList<>();
        for (Sentence sentence : JCasUtil.select(jcas, Sentence.class)) {
            List<Token> tokens = new ArrayList<>(JCasUtil.selectCovered(Token.class, sentence));
            tokens.removeIf(t -> t.getCoveredText().isBlank());
            if (tokens.isEmpty()) {
                continue;
            }
            List<String> words = new ArrayList<>();
            tokens.forEach(t -> words.add(t.getCoveredText()));
            List<Mention> ms = new ArrayList<>();
            for (NamedEntity ne : JCasUtil.selectCovered(NamedEntity.class, sentence)) {
                int start = -1;
                int end = -1;
                for (int i = 0; i < tokens.size(); i++) {
                    if (tokens.get(i).getBegin() == ne.getBegin()) start = i;
                    if (tokens.get(i).getEnd() == ne.getEnd()) end = i + 1;
                }
                if (start < 0 || end <= start) {
                    throw new FewNerException(
                            where
                                    + ": NamedEntity ["
                                    + ne.getBegin()
                                    + ", "
                                    + ne.getEnd()
                                    + ") "
                                    + FewNerException.quote(ne.getCoveredText())
                                    + " does not start and end at Token boundaries");
                }
                String label = ne.getValue() != null ? ne.getValue() : ne.getType().getShortName();
                ms.add(new Mention(start, end, label));
            }
            out.add(
                    new LabeledSentence(
                            new WordSentence(where + "@" + sentence.getBegin(), words), ms));
        }
        return out;
    }
}

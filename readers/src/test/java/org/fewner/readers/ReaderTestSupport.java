package org.fewner.readers;

import static org.apache.uima.fit.util.JCasUtil.select;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.uima.collection.CollectionReader;
import org.apache.uima.fit.factory.CollectionReaderFactory;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.jcas.JCas;

/** Helpers: write fixtures, run a reader to a list of CASes, describe entities as "text/type". */
final class ReaderTestSupport {
    private ReaderTestSupport() {}

    static Path write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        if (name.endsWith(".gz")) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
                o.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(p, content, StandardCharsets.UTF_8);
        }
        return p;
    }

    /** Reads every CAS that {@code reader} (with its parameters) produces from {@code file}. */
    static List<JCas> read(Class<? extends FewNerReaderBase> reader, Path file, Object... params)
            throws Exception {
        Object[] all = new Object[params.length + 2];
        all[0] = FewNerReaderBase.PARAM_SOURCE_LOCATION;
        all[1] = file.toString();
        System.arraycopy(params, 0, all, 2, params.length);
        CollectionReader r = CollectionReaderFactory.createReader(reader, all);
        List<JCas> out = new ArrayList<>();
        try {
            while (r.hasNext()) {
                JCas jcas = JCasFactory.createJCas();
                r.getNext(jcas.getCas());
                out.add(jcas);
            }
        } finally {
            r.destroy();
        }
        return out;
    }

    /** Entities as "covered text/type", in order. */
    static List<String> entities(JCas jcas) {
        List<String> out = new ArrayList<>();
        for (NamedEntity ne : select(jcas, NamedEntity.class))
            out.add(ne.getCoveredText() + "/" + ne.getValue());
        return out;
    }

    /** Entities of several CASes as "begin-end text/type". */
    static List<String> spans(List<JCas> cases) {
        List<String> out = new ArrayList<>();
        for (JCas jcas : cases) {
            for (NamedEntity ne : select(jcas, NamedEntity.class)) {
                out.add(
                        ne.getBegin()
                                + "-"
                                + ne.getEnd()
                                + " "
                                + ne.getCoveredText()
                                + "/"
                                + ne.getValue());
            }
        }
        return out;
    }
}

package org.fewner.readers;

import java.io.IOException;
import java.util.List;
import org.apache.uima.UimaContext;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.jcas.JCas;
import org.apache.uima.jcas.cas.StringArray;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.type.EpisodePart;
import org.fewner.type.EpisodeTypes;

/**
 * Reads Few-NERD episode files ({@code .jsonl} or {@code .jsonl.gz}, one episode object per line),
 * streaming line by line. One CAS per episode: the support sentences, then the query sentences
 * (text as in {@link Conll2003Reader}); an {@link EpisodePart} ({@code part} = {@code support} /
 * {@code query}) covers each part, an {@link EpisodeTypes} covers the document and holds the
 * episode index and its {@code types}. Document id = path + {@code #<episode index>}.
 */
@ResourceMetaData(name = "FewNER Few-NERD Episode Reader")
@TypeCapability(
        outputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity",
            "org.fewner.type.EpisodePart",
            "org.fewner.type.EpisodeTypes"
        })
public class FewNerdEpisodeReader extends FewNerReaderBase {

    /** Value of {@link EpisodePart#getPart()} for the labelled support set. */
    public static final String SUPPORT = "support";

    /** Value of {@link EpisodePart#getPart()} for the query set. */
    public static final String QUERY = "query";

    /**
     * Index (0-based, per file) of the first episode to read; earlier episodes are skipped
     * unparsed.
     */
    public static final String PARAM_FIRST_EPISODE = "firstEpisode";

    @ConfigurationParameter(name = PARAM_FIRST_EPISODE, mandatory = true, defaultValue = "0")
    private int firstEpisode;

    /** Most episodes to read per file; -1 (default) reads to the end. */
    public static final String PARAM_MAX_EPISODES = "maxEpisodes";

    @ConfigurationParameter(name = PARAM_MAX_EPISODES, mandatory = true, defaultValue = "-1")
    private int maxEpisodes;

    /**
     * Tag scheme of the labels: {@code io} (default; Few-NERD's) or {@code bio}/{@code iob1}/{@code
     * iob2}.
     */
    public static final String PARAM_TAG_SCHEME = "tagScheme";

    @ConfigurationParameter(name = PARAM_TAG_SCHEME, mandatory = true, defaultValue = "io")
    private String tagSchemeName;

    private TagScheme scheme;
    private EpisodeParser parser;
    private int read;

    @Override
    public void initialize(UimaContext context) throws ResourceInitializationException {
        super.initialize(context);
        try {
            scheme = TagScheme.parse(tagSchemeName);
        } catch (org.fewner.common.FewNerException e) {
            throw new ResourceInitializationException(e);
        }
        if (scheme == TagScheme.AUTO) {
            throw new ResourceInitializationException(
                    new IllegalArgumentException(
                            PARAM_TAG_SCHEME
                                    + " must be io or bio for episode files (auto would need a second pass over the file)"));
        }
        if (firstEpisode < 0) {
            throw new ResourceInitializationException(
                    new IllegalArgumentException(
                            PARAM_FIRST_EPISODE + " must be >= 0, got " + firstEpisode));
        }
        if (maxEpisodes < -1) {
            throw new ResourceInitializationException(
                    new IllegalArgumentException(
                            PARAM_MAX_EPISODES + " must be >= -1, got " + maxEpisodes));
        }
    }

    @Override
    protected void openFile(Resource resource) throws IOException {
        parser = new EpisodeParser(openLines(resource));
        read = 0;
        for (int i = 0; i < firstEpisode; i++) {
            if (!parser.skip()) break;
        }
    }

    @Override
    protected Unit nextUnit() throws IOException {
        if (maxEpisodes >= 0 && read >= maxEpisodes) return null;
        Episode episode = parser.next();
        if (episode == null) return null;
        read++;
        CasTextBuilder builder = new CasTextBuilder();
        int[] supportSpan = addAll(builder, episode.support());
        int[] querySpan = addAll(builder, episode.query());
        return new Unit() {
            @Override
            public String qualifier() {
                return String.valueOf(episode.index());
            }

            @Override
            public void fill(JCas jcas) {
                builder.build(jcas);
                part(jcas, supportSpan, SUPPORT);
                part(jcas, querySpan, QUERY);
                EpisodeTypes meta = new EpisodeTypes(jcas, 0, jcas.getDocumentText().length());
                meta.setEpisodeIndex(episode.index());
                StringArray types = new StringArray(jcas, episode.types().size());
                for (int i = 0; i < episode.types().size(); i++)
                    types.set(i, episode.types().get(i));
                meta.setTypes(types);
                meta.addToIndexes();
            }
        };
    }

    private int[] addAll(CasTextBuilder builder, List<LabelledSentence> sentences)
            throws FormatException {
        int begin = -1;
        int end = -1;
        for (LabelledSentence s : sentences) {
            int[] span =
                    builder.add(
                            s.tokens(),
                            s.chunks(
                                    parser.name(),
                                    s.lines().length > 0 ? s.lines()[0] : 0,
                                    scheme,
                                    strictIob()),
                            null);
            if (begin < 0) begin = span[0];
            end = span[1];
        }
        if (begin < 0) {
            begin = end = builder.length();
        }
        return new int[] {begin, end};
    }

    private static void part(JCas jcas, int[] span, String name) {
        EpisodePart p = new EpisodePart(jcas, span[0], span[1]);
        p.setPart(name);
        p.addToIndexes();
    }

    @Override
    protected void closeFile() throws IOException {
        if (parser != null) parser.close();
        parser = null;
    }
}

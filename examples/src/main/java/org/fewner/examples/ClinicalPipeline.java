package org.fewner.examples;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ctakes.typesystem.type.syntax.BaseToken;
import org.apache.ctakes.typesystem.type.syntax.NewlineToken;
import org.apache.ctakes.typesystem.type.syntax.NumToken;
import org.apache.ctakes.typesystem.type.syntax.PunctuationToken;
import org.apache.ctakes.typesystem.type.syntax.WordToken;
import org.apache.ctakes.typesystem.type.textsem.IdentifiedAnnotation;
import org.apache.ctakes.typesystem.type.textspan.Sentence;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.fit.component.JCasAnnotator_ImplBase;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.factory.TypeSystemDescriptionFactory;
import org.apache.uima.fit.pipeline.SimplePipeline;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.metadata.TypeSystemDescription;
import org.apache.uima.util.CasCreationUtils;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.FewNerModelResource;
import org.fewner.uimaannotator.NamedEntityMappings;
import org.fewner.uimaannotator.SegmentLayers;

/**
 * Example 4: FewNER in an Apache cTAKES-style clinical pipeline. The CAS has cTAKES's type system
 * ({@code org.apache.ctakes:ctakes-type-system}); a segmenter writes cTAKES's {@code Sentence} and
 * {@code BaseToken} subtypes (here {@link CtakesStyleSegmenter}, a stand-in for cTAKES's {@code
 * SentenceDetector} and {@code TokenizerAnnotatorPTB}, so that the example needs no more of
 * cTAKES); FewNER reads those layers ({@code sentenceType}, {@code tokenType}) and writes its
 * mentions through the shipped mapping ({@link FewNerAnnotator#MAPPING_CTAKES}) as cTAKES's {@code
 * IdentifiedAnnotation} subtypes, which cTAKES's consumers read: problem as {@code
 * DiseaseDisorderMention}, treatment as {@code MedicationMention}, test as {@code
 * ProcedureMention}, each with its {@code confidence}. The types come from a 5-shot support file
 * ({@code examples/data/clinical-support.conll}); the note ({@code
 * examples/data/clinical-note.txt}) is synthetic, written for the example.
 *
 * <pre>
 * java ... org.fewner.examples.ClinicalPipeline examples/data/clinical-note.txt examples/data/clinical-support.conll
 * </pre>
 */
public final class ClinicalPipeline {
    private ClinicalPipeline() {}

    /**
     * A cTAKES-style segmenter: one {@code Sentence} per sentence of each line (a note's headings
     * and list items are lines), one {@code BaseToken} subtype per word, number, punctuation mark
     * and line break ({@code WordToken}, {@code NumToken}, {@code PunctuationToken}, {@code
     * NewlineToken}), numbered as cTAKES numbers them.
     */
    public static final class CtakesStyleSegmenter extends JCasAnnotator_ImplBase {
        private static final Pattern TOKEN =
                Pattern.compile(
                        "\\n|\\p{L}[\\p{L}\\p{M}'-]*|\\p{N}+(?:[.,]\\p{N}+)*(?:-\\p{L}+)*|\\S");

        @Override
        public void process(JCas jcas) {
            String text = jcas.getDocumentText();
            int sentenceNumber = 0;
            Matcher lines = Pattern.compile("[^\\n]+").matcher(text);
            BreakIterator bi = BreakIterator.getSentenceInstance(Locale.ENGLISH);
            while (lines.find()) {
                String line = lines.group();
                bi.setText(line);
                for (int b = bi.first(), e = bi.next();
                        e != BreakIterator.DONE;
                        b = e, e = bi.next()) {
                    int begin = lines.start() + b;
                    int end = lines.start() + e;
                    while (end > begin && Character.isWhitespace(text.charAt(end - 1))) end--;
                    while (begin < end && Character.isWhitespace(text.charAt(begin))) begin++;
                    if (begin == end) continue;
                    Sentence s = new Sentence(jcas, begin, end);
                    s.setSentenceNumber(sentenceNumber++);
                    s.addToIndexes();
                }
            }
            int tokenNumber = 0;
            Matcher m = TOKEN.matcher(text);
            while (m.find()) {
                String t = m.group();
                BaseToken token;
                if (t.equals("\n")) token = new NewlineToken(jcas, m.start(), m.end());
                else if (Character.isLetter(t.codePointAt(0)))
                    token = new WordToken(jcas, m.start(), m.end());
                else if (Character.isDigit(t.codePointAt(0)))
                    token = new NumToken(jcas, m.start(), m.end());
                else token = new PunctuationToken(jcas, m.start(), m.end());
                token.setTokenNumber(tokenNumber++);
                token.addToIndexes();
            }
        }
    }

    /** A mention as cTAKES's consumers see it. */
    public record Mention(int begin, int end, String type, float confidence, String text) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT, "%d %d %s %.4f %s", begin, end, type, confidence, text);
        }
    }

    /**
     * The FewNER engine configured for cTAKES's layers and types.
     *
     * @param model default, default-uncased or a model directory
     * @param method the few-shot method, or null for the engine's default ({@code span})
     * @param methodOptions method options ({@code key=value})
     */
    public static AnalysisEngineDescription engine(
            String model, Path support, String method, List<String> methodOptions)
            throws Exception {
        List<Object> p =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(model),
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                "conll",
                                FewNerAnnotator.PARAM_SENTENCE_TYPE,
                                SegmentLayers.CTAKES_SENTENCE,
                                FewNerAnnotator.PARAM_TOKEN_TYPE,
                                SegmentLayers.CTAKES_TOKEN,
                                FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION,
                                NamedEntityMappings.CTAKES,
                                FewNerAnnotator.PARAM_METHOD_OPTIONS,
                                methodOptions.toArray(String[]::new)));
        if (method != null) {
            p.add(FewNerAnnotator.PARAM_METHOD);
            p.add(method);
        }
        return createEngineDescription(FewNerAnnotator.class, p.toArray());
    }

    /**
     * Runs the pipeline on {@code text}: a CAS with cTAKES's type system, the segmenter, FewNER.
     *
     * @return the {@code IdentifiedAnnotation}s FewNER wrote, in text order
     */
    public static List<Mention> run(
            String text, Path support, String model, String method, List<String> methodOptions)
            throws Exception {
        TypeSystemDescription types =
                CasCreationUtils.mergeTypeSystems(
                        List.of(
                                TypeSystemDescriptionFactory.createTypeSystemDescription(
                                        "org.apache.ctakes.typesystem.types.TypeSystem"),
                                TypeSystemDescriptionFactory.createTypeSystemDescription()));
        JCas jcas = JCasFactory.createJCas(types);
        jcas.setDocumentText(text);
        jcas.setDocumentLanguage("en");
        SimplePipeline.runPipeline(
                jcas,
                createEngineDescription(CtakesStyleSegmenter.class),
                engine(model, support, method, methodOptions));
        List<Mention> out = new ArrayList<>();
        for (IdentifiedAnnotation a : JCasUtil.select(jcas, IdentifiedAnnotation.class)) {
            out.add(
                    new Mention(
                            a.getBegin(),
                            a.getEnd(),
                            a.getType().getShortName(),
                            a.getConfidence(),
                            a.getCoveredText()));
        }
        return out;
    }

    /**
     * {@code NOTE SUPPORT [MODEL [METHOD]]}: prints {@code begin end type confidence text} per
     * mention (model {@code default}, method {@code span} unless given).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ClinicalPipeline NOTE SUPPORT [MODEL [METHOD]]");
            System.exit(2);
        }
        String text = Files.readString(Path.of(args[0]));
        String model = args.length > 2 ? args[2] : "default";
        String method = args.length > 3 ? args[3] : null;
        for (Mention m : run(text, Path.of(args[1]), model, method, List.of())) {
            System.out.println(m);
        }
    }
}

/**
 * uimaFIT collection readers and a writer for FewNER's evaluation corpora, all producing DKPro
 * Core's {@code Sentence}, {@code Token}, {@code NamedEntity} (value = type) and {@code
 * DocumentMetaData}:
 *
 * <ul>
 *   <li>{@link org.fewner.readers.Conll2003Reader}: 4-column CoNLL-2003, one CAS per {@code
 *       -DOCSTART-} document;
 *   <li>{@link org.fewner.readers.TwoColumnReader}: {@code token<TAB>label} (BIO, IOB1, IO), one
 *       CAS per file or per N sentences;
 *   <li>{@link org.fewner.readers.FewNerdEpisodeReader}: Few-NERD episode JSONL, one CAS per
 *       episode with {@code EpisodePart} support/query and {@code EpisodeTypes};
 *   <li>{@link org.fewner.readers.TwoColumnWriter}: {@code token<TAB>BIO label}, read back by the
 *       two-column reader.
 * </ul>
 *
 * Document text is the tokens joined by single spaces, sentences by newlines. Files ending in
 * {@code .gz} are decompressed; text is decoded strictly; lines end at LF (one trailing CR
 * dropped). Parsing ({@link org.fewner.readers.ColumnFileParser}, {@link
 * org.fewner.readers.EpisodeParser}) and chunking ({@link org.fewner.readers.TagDecoder}) are plain
 * classes shared with {@code fewner stats}. Every defect in the input is a {@link
 * org.fewner.readers.FormatException} {@code <file>:<line>: <problem>}.
 *
 * <pre>{@code
 * CollectionReaderDescription reader = createReaderDescription(Conll2003Reader.class,
 *         Conll2003Reader.PARAM_SOURCE_LOCATION, "datasets/conll2003/eng.testb",
 *         Conll2003Reader.PARAM_LANGUAGE, "en");
 * AnalysisEngineDescription writer = createEngineDescription(TwoColumnWriter.class,
 *         TwoColumnWriter.PARAM_TARGET_LOCATION, "out");
 * SimplePipeline.runPipeline(reader, writer);
 * }</pre>
 */
package org.fewner.readers;

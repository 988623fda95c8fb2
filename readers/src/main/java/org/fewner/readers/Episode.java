package org.fewner.readers;

import java.util.List;

/**
 * One Few-NERD episode: its 0-based index among the file's episodes, the line it was read from, the
 * labelled support and query sentences, and the episode's entity types.
 */
public record Episode(
        int index,
        int line,
        List<LabelledSentence> support,
        List<LabelledSentence> query,
        List<String> types) {}

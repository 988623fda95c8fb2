package org.fewner.llm.generation;

/** Text to token ids without special tokens (a model's tokenizer; a fake one in tests). */
@FunctionalInterface
public interface TokenEncoder {
    long[] encode(String text);

    /** The encoder of a model tokenizer ({@code addSpecialTokens = false}). */
    static TokenEncoder of(org.fewner.llm.tokenizer.ModelTokenizer tokenizer) {
        return text -> tokenizer.encode(text, false).ids();
    }
}

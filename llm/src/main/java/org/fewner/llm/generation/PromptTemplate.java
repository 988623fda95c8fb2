package org.fewner.llm.generation;

import org.fewner.common.FewNerException;

/**
 * The one place that fixes the prompt and answer format (CLLMFS / BANER SFT format, Alpaca-style
 * sections).
 *
 * <p>A prompt asks for one entity type; the answer continues the prompt after {@link #answerPrefix}
 * as {@code <open><span><close>} repeated (each span written with a leading space, e.g. {@code "
 * <<< Paris >>>"}), or {@link #none} when the text holds no entity of the type, and then an
 * end-of-sequence token. Every answer piece starts with a space, so byte-level BPE tokenises each
 * span the same way wherever it appears: the span text is tokenised as {@code " " + span} as a
 * whole (never word by word).
 *
 * @param instruction instruction with {@code {type}}
 * @param definition appended to the instruction when a definition is given, with {@code {type}} and
 *     {@code {definition}}
 * @param layout the full prompt with {@code {instruction}}, {@code {text}} and {@code
 *     {answerPrefix}}
 * @param answerPrefix fixed start of every answer (part of the prompt)
 * @param open before each span, e.g. {@code " <<<"}
 * @param close after each span, e.g. {@code " >>>"}
 * @param none the whole answer when there is no entity, e.g. {@code " none"}
 */
public record PromptTemplate(
        String instruction,
        String definition,
        String layout,
        String answerPrefix,
        String open,
        String close,
        String none) {

    /**
     * CLLMFS's instruction and answer prefix, BANER's {@code <<< … >>>} markers, {@code " none"}
     * for no entity.
     */
    public static final PromptTemplate DEFAULT =
            new PromptTemplate(
                    "Please extract the entity of {type} in the input sentence given below.",
                    " The entity of {type} refers to the entity that represents {definition} in the input sentence.",
                    "### Instruction:\n{instruction}\n\n### Input:\n{text}\n\n### Response:\n{answerPrefix}",
                    "I can extract entities for you, the extracted entities are",
                    " <<<",
                    " >>>",
                    " none");

    public PromptTemplate {
        for (String s : new String[] {open, close, none}) {
            if (s == null || s.isEmpty()) {
                throw new FewNerException(
                        "prompt template: open, close and none markers must be non-empty");
            }
        }
        if (!layout.contains("{text}") || !layout.contains("{answerPrefix}")) {
            throw new FewNerException(
                    "prompt template layout must contain {text} and {answerPrefix}");
        }
    }

    /** The prompt for one entity type; {@code definition} may be null. */
    public String render(String type, String definition, String text) {
        String instr = instruction.replace("{type}", type);
        if (definition != null && !definition.isBlank()) {
            instr += this.definition.replace("{type}", type).replace("{definition}", definition);
        }
        return layout.replace("{instruction}", instr)
                .replace("{answerPrefix}", answerPrefix)
                .replace("{text}", text);
    }

    /**
     * Where the input text starts in a prompt this template rendered: {@code rendered.length()}
     * minus the fixed layout after {@code {text}} minus the text, or −1 when {@code rendered} does
     * not end that way (the layout has {@code {instruction}} after the text, or another template).
     */
    public int textOffset(String rendered, String text) {
        String after = layout.substring(layout.indexOf("{text}") + "{text}".length());
        if (after.contains("{instruction}")) {
            return -1;
        }
        String suffix = after.replace("{answerPrefix}", answerPrefix);
        int at = rendered.length() - suffix.length() - text.length();
        return at >= 0 && rendered.startsWith(text, at) && rendered.endsWith(suffix) ? at : -1;
    }

    /** How a span is written in the answer (before tokenisation): {@code " " + span text}. */
    public String spanPiece(String spanText) {
        return " " + spanText;
    }

    /**
     * The answer text for given span texts (what SFT targets are made of), without the end token.
     */
    public String answer(java.util.List<String> spanTexts) {
        if (spanTexts.isEmpty()) {
            return none;
        }
        StringBuilder b = new StringBuilder();
        for (String s : spanTexts) {
            b.append(open).append(spanPiece(s)).append(close);
        }
        return b.toString();
    }
}

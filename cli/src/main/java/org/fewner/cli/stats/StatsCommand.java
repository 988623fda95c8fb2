package org.fewner.cli.stats;

import picocli.CommandLine.Command;

/** Counts sentences, tokens, entities and types of corpus files, one JSON object per file. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Counts sentences, tokens, entities and types of corpus files, one JSON object per file.")
public final class StatsCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'stats' is not implemented yet");
    }
}

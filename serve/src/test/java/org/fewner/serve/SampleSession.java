package org.fewner.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the request files of the docs' curl session ({@code serve/docs/examples}): {@code
 * train.json} (two annotated documents) and {@code predict.json} (a new document), built as
 * INCEpTION builds them. Run: {@code java -cp <test class path> org.fewner.serve.SampleSession
 * DIR}.
 */
public final class SampleSession {
    static final String DOC_1 =
            "[Angela Merkel](PER) met [Emmanuel Macron](PER) in [Berlin](LOC) on Tuesday .\n"
                    + "[Siemens](ORG) opened a new plant near [Munich](LOC) , the company said .\n"
                    + "[John Smith](PER) , a spokesman for the [United Nations](ORG) , arrived in [Geneva](LOC) .\n"
                    + "Shares of [Volkswagen](ORG) rose after [Olaf Scholz](PER) visited [Wolfsburg](LOC) .";
    static final String DOC_2 =
            "[Marie Curie](PER) studied in [Paris](LOC) and worked at the [Sorbonne](ORG) .\n"
                    + "The [World Bank](ORG) lent money to [Kenya](LOC) , [Reuters](ORG) reported .\n"
                    + "[Ana Garcia](PER) flew from [Madrid](LOC) to [Lima](LOC) for [Telefonica](ORG) .";
    static final String QUERY =
            "Boris Johnson met Justin Trudeau in London on Friday .\n"
                    + "Later , Microsoft and the European Commission announced a joint project in Brussels .";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "serve/docs/examples");
        Files.createDirectories(dir);
        InceptionRequests inc = new InceptionRequests();
        Files.writeString(
                dir.resolve("train.json"),
                inc.train(
                                List.of(
                                        inc.document(DOC_1, 1, 1, "alice"),
                                        inc.document(DOC_2, 1, 2, "alice")),
                                1,
                                1)
                        + "\n");
        Files.writeString(
                dir.resolve("predict.json"),
                inc.predict(inc.document(QUERY, 1, 3, "alice"), 1, 3, "tokens") + "\n");
        System.out.println(
                "wrote " + dir.resolve("train.json") + " and " + dir.resolve("predict.json"));
    }
}

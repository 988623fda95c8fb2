package org.fewner.readers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.NoSuchElementException;
import org.apache.uima.UimaContext;
import org.apache.uima.collection.CollectionException;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.dkpro.core.api.io.JCasResourceCollectionReader_ImplBase;
import org.dkpro.core.api.parameter.ComponentParameters;

/**
 * Common ground of FewNER's readers: DKPro's resource scanning ({@code PARAM_SOURCE_LOCATION},
 * {@code PARAM_PATTERNS}, {@code PARAM_LANGUAGE}) with several CASes per file, strict decoding and
 * transparent gzip. Bad input fails with a {@link FormatException} ({@code <file>:<line>:
 * <problem>}).
 */
public abstract class FewNerReaderBase extends JCasResourceCollectionReader_ImplBase {

    /**
     * Character encoding of the input files; invalid byte sequences are an error, never replaced.
     */
    public static final String PARAM_SOURCE_ENCODING = ComponentParameters.PARAM_SOURCE_ENCODING;

    @ConfigurationParameter(
            name = PARAM_SOURCE_ENCODING,
            mandatory = true,
            defaultValue = ComponentParameters.DEFAULT_ENCODING)
    private String sourceEncoding;

    /**
     * Strict IOB2: an {@code I-X} that follows {@code O}, another type or the sentence start is an
     * error. When false (default), such a tag starts an entity (the conlleval rule, which also
     * reads IOB1).
     */
    public static final String PARAM_STRICT_IOB = "strictIob";

    @ConfigurationParameter(name = PARAM_STRICT_IOB, mandatory = true, defaultValue = "false")
    private boolean strictIob;

    /** One CAS to be made from the current file. */
    protected interface Unit {
        /** Suffix of the document id/URI ({@code #qualifier}), or null for the file itself. */
        String qualifier();

        /** Sets text and annotations. */
        void fill(JCas jcas) throws IOException;
    }

    private Charset charset;
    private Resource current;
    private Unit pending;

    @Override
    public void initialize(UimaContext context) throws ResourceInitializationException {
        super.initialize(context);
        try {
            charset = Charset.forName(sourceEncoding);
        } catch (IllegalArgumentException e) {
            throw new ResourceInitializationException(
                    new org.fewner.common.FewNerException(
                            "unknown "
                                    + PARAM_SOURCE_ENCODING
                                    + " "
                                    + org.fewner.common.FewNerException.quote(sourceEncoding),
                            e));
        }
    }

    /**
     * Plain file paths are made absolute and normalised first: DKPro's scan fails on locations
     * holding {@code ..} (e.g. {@code ../shared/datasets/x}) with a
     * StringIndexOutOfBoundsException.
     */
    @Override
    protected String locationToUrl(String location) throws java.net.MalformedURLException {
        if (location != null && !location.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*")) {
            try {
                location = java.nio.file.Path.of(location).toAbsolutePath().normalize().toString();
            } catch (java.nio.file.InvalidPathException e) {
                // not a path after all (e.g. a pattern): leave it to DKPro
            }
        }
        return super.locationToUrl(location);
    }

    /** Whether strict IOB2 was asked for. */
    protected boolean strictIob() {
        return strictIob;
    }

    /** Opens a resource for reading (gzip by name, strict decoding). */
    protected LineReader openLines(Resource resource) throws IOException {
        return new LineReader(
                resource.getResource().getInputStream(), displayName(resource), charset);
    }

    /** The resource as a file path where it is one, else its URL: used in error messages. */
    protected static String displayName(Resource resource) {
        try {
            File f = resource.getResource().getFile();
            return f.getPath();
        } catch (IOException | UnsupportedOperationException e) {
            return resource.getLocation();
        }
    }

    /** Starts reading a new file. */
    protected abstract void openFile(Resource resource) throws IOException;

    /** The next CAS of the current file, or null when it has no more. */
    protected abstract Unit nextUnit() throws IOException;

    /** Closes the current file. */
    protected abstract void closeFile() throws IOException;

    @Override
    public boolean hasNext() throws IOException, CollectionException {
        while (pending == null) {
            if (current != null) {
                pending = nextUnit();
                if (pending != null) break;
                closeFile();
                current = null;
            }
            if (!super.hasNext()) return false;
            current = nextFile();
            openFile(current);
        }
        return true;
    }

    @Override
    public void getNext(JCas jcas) throws IOException, CollectionException {
        if (!hasNext()) throw new NoSuchElementException("no more documents");
        Unit unit = pending;
        pending = null;
        initCas(jcas, current, unit.qualifier());
        unit.fill(jcas);
    }

    @Override
    public void destroy() {
        if (current != null) {
            try {
                closeFile();
            } catch (IOException e) {
                getLogger().warn("closing " + current.getLocation() + ": " + e);
            }
            current = null;
        }
        super.destroy();
    }
}

package org.fewner.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.apache.uima.UIMAFramework;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.impl.XmiCasDeserializer;
import org.apache.uima.cas.impl.XmiCasSerializer;
import org.apache.uima.resource.metadata.TypeSystemDescription;
import org.apache.uima.util.InvalidXMLException;
import org.apache.uima.util.XMLInputSource;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * XML from requests, read with DTDs and external entities off: a document type declaration is an
 * error (so no entity can be declared, expanded or fetched: XXE and entity-expansion payloads fail
 * before anything is resolved).
 */
public final class SecureXml {
    private static final SAXParserFactory FACTORY = secureFactory();

    private SecureXml() {}

    static SAXParserFactory secureFactory() {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.setValidating(false);
            f.setXIncludeAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            return f;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("the XML parser cannot be made secure", e);
        }
    }

    private static XMLReader reader() {
        try {
            XMLReader r = FACTORY.newSAXParser().getXMLReader();
            r.setEntityResolver(
                    (publicId, systemId) -> {
                        throw new SAXException("external entity refused: " + systemId);
                    });
            // errors become exceptions, never lines on stderr
            r.setErrorHandler(new DefaultHandler());
            return r;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot create an XML parser", e);
        }
    }

    /**
     * Reads UIMA XMI {@code xmi} into {@code cas} (strictly: a type or feature that the CAS's type
     * system lacks is an error).
     *
     * @throws HttpError 400 naming {@code field} for XML that is not well-formed, has a DOCTYPE, or
     *     is not XMI of the type system
     */
    public static void readXmi(String xmi, CAS cas, String field) {
        XmiCasDeserializer d = new XmiCasDeserializer(cas.getTypeSystem());
        XMLReader r = reader();
        r.setContentHandler(d.getXmiCasHandler(cas, false));
        try {
            r.parse(new InputSource(new StringReader(xmi)));
        } catch (SAXException | RuntimeException e) {
            throw HttpError.badRequest(field, "not UIMA XMI of the type system: " + message(e));
        } catch (IOException e) {
            throw HttpError.badRequest(field, "cannot be read: " + message(e));
        }
    }

    /** {@code cas} as XMI (all its types), UTF-8. */
    public static String writeXmi(CAS cas) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XmiCasSerializer.serialize(cas, null, out, false, null);
        } catch (SAXException e) {
            throw new IllegalStateException("cannot write XMI: " + e.getMessage(), e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Parses a UIMA type system description ({@code <typeSystemDescription>}); the text is first
     * checked by the secure parser (no DOCTYPE), then handed to UIMA's own parser.
     *
     * @throws HttpError 400 naming {@code field}
     */
    public static TypeSystemDescription typeSystem(String xml, String field) {
        XMLReader r = reader();
        r.setContentHandler(new DefaultHandler());
        try {
            r.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            throw HttpError.badRequest(field, "not a UIMA type system description: " + message(e));
        }
        try {
            TypeSystemDescription tsd =
                    UIMAFramework.getXMLParser()
                            .parseTypeSystemDescription(
                                    new XMLInputSource(
                                            new java.io.ByteArrayInputStream(
                                                    xml.getBytes(StandardCharsets.UTF_8)),
                                            null));
            if (tsd.getImports() != null && tsd.getImports().length > 0) {
                // an import names a file or URL that UIMA would read: refused like any external
                // entity
                throw HttpError.badRequest(field, "imports are not allowed in the type system");
            }
            return tsd;
        } catch (InvalidXMLException e) {
            throw HttpError.badRequest(field, "not a UIMA type system description: " + message(e));
        }
    }

    /** An exception's message on one line. */
    static String message(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        m = m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}

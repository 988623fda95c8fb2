package org.fewner.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.TypeSystem;
import org.apache.uima.resource.ResourceInitializationException;
import org.apache.uima.resource.metadata.FeatureDescription;
import org.apache.uima.resource.metadata.TypeDescription;
import org.apache.uima.resource.metadata.TypeSystemDescription;
import org.apache.uima.util.CasCreationUtils;

/**
 * CASes for the type systems that requests carry: parsed securely, checked for the layer and
 * feature, completed with INCEpTION's prediction features where they are missing, and committed
 * once per distinct type system (a small cache: INCEpTION sends the same one again and again).
 */
public final class TypeSystems {
    /** INCEpTION's marker feature of a prediction (boolean). */
    public static final String PREDICTED = "inception_internal_predicted";

    /** The suffix of the score feature (double). */
    public static final String SCORE_SUFFIX = "_score";

    /** The suffix of the score explanation feature (string). */
    public static final String EXPLANATION_SUFFIX = "_score_explanation";

    private static final int CACHE_SIZE = 16;

    private final Map<String, TypeSystem> cache =
            new LinkedHashMap<>(CACHE_SIZE, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, TypeSystem> e) {
                    return size() > CACHE_SIZE;
                }
            };

    /**
     * A new empty CAS of the type system {@code xml} (field {@code typeSystem}), which must hold
     * {@code layer} (an annotation type) with the string feature {@code feature}.
     *
     * @throws HttpError 400 for a type system that does not parse, or lacks the layer or feature
     */
    public CAS newCas(String xml, String layer, String feature) {
        String key = sha256(xml) + "\n" + layer + "\n" + feature;
        TypeSystem ts;
        synchronized (cache) {
            ts = cache.get(key);
        }
        if (ts == null) {
            TypeSystemDescription tsd = SecureXml.typeSystem(xml, "typeSystem");
            TypeDescription type = tsd.getType(layer);
            if (type == null) {
                throw HttpError.badRequest(
                        "metadata.layer", "type '" + layer + "' is not in the typeSystem");
            }
            boolean found = false;
            for (FeatureDescription f : type.getFeatures()) {
                found |= f.getName().equals(feature);
            }
            if (!found) {
                // the feature may be inherited; checked again on the committed type system
                found = inherited(tsd, type, feature);
            }
            if (!found) {
                throw HttpError.badRequest(
                        "metadata.feature",
                        "feature '" + feature + "' is not a feature of '" + layer + "'");
            }
            addIfMissing(tsd, type, PREDICTED, CAS.TYPE_NAME_BOOLEAN);
            addIfMissing(tsd, type, feature + SCORE_SUFFIX, CAS.TYPE_NAME_DOUBLE);
            addIfMissing(tsd, type, feature + EXPLANATION_SUFFIX, CAS.TYPE_NAME_STRING);
            CAS cas;
            try {
                cas = CasCreationUtils.createCas(tsd, null, null);
            } catch (ResourceInitializationException | RuntimeException e) {
                throw HttpError.badRequest(
                        "typeSystem", "not a valid type system: " + SecureXml.message(e));
            }
            check(cas.getTypeSystem(), layer, feature);
            synchronized (cache) {
                cache.put(key, cas.getTypeSystem());
            }
            return cas;
        }
        try {
            return CasCreationUtils.createCas(ts, null, null, null);
        } catch (ResourceInitializationException e) {
            throw new IllegalStateException("cannot create a CAS: " + e.getMessage(), e);
        }
    }

    private static boolean inherited(TypeSystemDescription tsd, TypeDescription type, String name) {
        String sup = type.getSupertypeName();
        for (int guard = 0; sup != null && guard < 100; guard++) {
            TypeDescription t = tsd.getType(sup);
            if (t == null) {
                // a built-in supertype (uima.tcas.Annotation): begin, end, sofa only
                return false;
            }
            for (FeatureDescription f : t.getFeatures()) {
                if (f.getName().equals(name)) {
                    return true;
                }
            }
            sup = t.getSupertypeName();
        }
        return false;
    }

    private static void check(TypeSystem ts, String layer, String feature) {
        Type type = ts.getType(layer);
        Type annotation = ts.getType(CAS.TYPE_NAME_ANNOTATION);
        if (!ts.subsumes(annotation, type)) {
            throw HttpError.badRequest(
                    "metadata.layer", "type '" + layer + "' is not an annotation type");
        }
        Feature f = type.getFeatureByBaseName(feature);
        if (f == null || !ts.subsumes(ts.getType(CAS.TYPE_NAME_STRING), f.getRange())) {
            throw HttpError.badRequest(
                    "metadata.feature",
                    "feature '" + feature + "' of '" + layer + "' is not a string feature");
        }
    }

    private static void addIfMissing(
            TypeSystemDescription tsd, TypeDescription type, String name, String range) {
        for (FeatureDescription f : type.getFeatures()) {
            if (f.getName().equals(name)) {
                return;
            }
        }
        if (!inherited(tsd, type, name)) {
            type.addFeature(name, "added by fewner serve", range);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.fewner.type;

import static org.apache.uima.fit.util.JCasUtil.select;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.factory.TypeSystemDescriptionFactory;
import org.apache.uima.jcas.JCas;
import org.apache.uima.jcas.cas.StringArray;
import org.apache.uima.resource.metadata.TypeSystemDescription;
import org.junit.jupiter.api.Test;

class FewNerTypesTest {

    @Test
    void uimaFitFindsOurTypesAndDkproTypes() throws Exception {
        TypeSystemDescription tsd = TypeSystemDescriptionFactory.createTypeSystemDescription();
        tsd.resolveImports();
        assertNotNull(tsd.getType(ScoredNamedEntity.class.getName()));
        assertNotNull(tsd.getType(EpisodePart.class.getName()));
        assertNotNull(tsd.getType(EpisodeTypes.class.getName()));
        assertNotNull(tsd.getType(NamedEntity.class.getName()));
        assertEquals(
                NamedEntity.class.getName(),
                tsd.getType(ScoredNamedEntity.class.getName()).getSupertypeName());
    }

    @Test
    void selectNamedEntitySeesTheScoredSubtype() throws Exception {
        JCas jcas = JCasFactory.createText("Smith visited Paris .", "en");
        NamedEntity plain = new NamedEntity(jcas, 0, 5);
        plain.setValue("PER");
        plain.addToIndexes();
        ScoredNamedEntity scored = new ScoredNamedEntity(jcas, 14, 19);
        scored.setValue("LOC");
        scored.setConfidence(0.875);
        scored.setAdapterId("conll-5shot");
        scored.addToIndexes();

        List<NamedEntity> all = List.copyOf(select(jcas, NamedEntity.class));
        assertEquals(
                List.of("Smith", "Paris"),
                all.stream().map(NamedEntity::getCoveredText).collect(Collectors.toList()));
        ScoredNamedEntity back = (ScoredNamedEntity) all.get(1);
        assertEquals(0.875, back.getConfidence());
        assertEquals("conll-5shot", back.getAdapterId());
        assertEquals("LOC", back.getValue());
        assertEquals(1, select(jcas, ScoredNamedEntity.class).size());
    }

    @Test
    void episodeAnnotationsHoldPartAndTypes() throws Exception {
        JCas jcas = JCasFactory.createText("a b\nc d", "en");
        EpisodePart support = new EpisodePart(jcas, 0, 3);
        support.setPart("support");
        support.addToIndexes();
        EpisodePart query = new EpisodePart(jcas, 4, 7);
        query.setPart("query");
        query.addToIndexes();
        EpisodeTypes meta = new EpisodeTypes(jcas, 0, 7);
        meta.setEpisodeIndex(3);
        StringArray types = new StringArray(jcas, 2);
        types.set(0, "person-actor");
        types.set(1, "location-GPE");
        meta.setTypes(types);
        meta.addToIndexes();

        assertEquals(
                List.of("support", "query"),
                select(jcas, EpisodePart.class).stream()
                        .map(EpisodePart::getPart)
                        .collect(Collectors.toList()));
        EpisodeTypes back = select(jcas, EpisodeTypes.class).iterator().next();
        assertEquals(3, back.getEpisodeIndex());
        assertEquals(List.of("person-actor", "location-GPE"), List.of(back.getTypes().toArray()));
    }
}

package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmTextEncoderTest {

    private static MiniLmTextEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = MiniLmTextEncoder.builtin(1, 128);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void loadsFromTheMavenArtifactWithDownloadsDisabled() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(encoder.version()).matches("all-minilm-l6-v2-q-[0-9a-f]{12}");
    }

    @Test
    void producesUnitVectorsOf384Floats() {
        float[] vector = encoder.encode(List.of("a lighthouse at dawn"))[0];

        assertThat(vector).hasSize(MiniLmTextEncoder.DIMENSION);
        assertThat(norm(vector)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedSentences() {
        float[][] v = encoder.encode(List.of(
                "a cat is sleeping on the sofa",
                "a kitten naps on the couch",
                "the stock market fell sharply today"));

        double paraphrase = dot(v[0], v[1]);
        double unrelated = dot(v[0], v[2]);
        assertThat(paraphrase).isGreaterThan(0.5);
        assertThat(unrelated).isLessThan(0.2);
        assertThat(paraphrase).isGreaterThan(unrelated + 0.3);
    }

    @Test
    void aTextGetsBitIdenticalVectorsAloneAndInsideABatch() {
        String fox = "a red fox sleeping in fresh snow";
        List<String> batch = List.of(
                "a blue cat running on wet grass",
                fox,
                "short",
                "an astronaut riding a horse on the moon, in the style of an old oil painting",
                "the big dog barking at red cars",
                fox);

        float[][] together = encoder.encode(batch);
        for (int i = 0; i < batch.size(); i++) {
            assertThat(together[i]).containsExactly(encoder.encode(List.of(batch.get(i)))[0]);
        }
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}

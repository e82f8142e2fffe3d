package dev.stageflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ArtifactKeyTest {

    @Test
    void isDerivedOnlyFromItsInputsWhateverTheirOrder() {
        ArtifactKey a = ArtifactKey.of("image-generate", "m-v1", "image", Map.of("seed", "1", "width", "64"));
        ArtifactKey b = ArtifactKey.of("image-generate", "m-v1", "image", Map.of("width", "64", "seed", "1"));

        assertThat(a).isEqualTo(b);
        assertThat(a.digest()).isEqualTo(b.digest()).hasSize(64);
    }

    @Test
    void changesWithEveryPartOfItsIdentity() {
        ArtifactKey base = ArtifactKey.of("s", "m-v1", "image", Map.of("seed", "1"));

        assertThat(ArtifactKey.of("t", "m-v1", "image", Map.of("seed", "1")).digest()).isNotEqualTo(base.digest());
        assertThat(ArtifactKey.of("s", "m-v2", "image", Map.of("seed", "1")).digest()).isNotEqualTo(base.digest());
        assertThat(ArtifactKey.of("s", "m-v1", "latent", Map.of("seed", "1")).digest()).isNotEqualTo(base.digest());
        assertThat(ArtifactKey.of("s", "m-v1", "image", Map.of("seed", "2")).digest()).isNotEqualTo(base.digest());
    }

    @Test
    void laysOutAsStageModelAndTwoLevelsOfDigestPrefix() {
        ArtifactKey key = ArtifactKey.of("image-enhance", "enhance-v1", "image", Map.of("source", "abc"));
        String d = key.digest();

        assertThat(key.relativePath())
                .isEqualTo("image-enhance/enhance-v1/" + d.substring(0, 2) + "/" + d.substring(2, 4) + "/" + d);
    }

    @Test
    void rejectsPathSegmentsThatCouldEscapeTheStore() {
        assertThatThrownBy(() -> ArtifactKey.of("../etc", "m", "image", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stage");
        assertThatThrownBy(() -> ArtifactKey.of("s", "m/v1", "image", Map.of()))
                .hasMessageContaining("model version");
    }
}

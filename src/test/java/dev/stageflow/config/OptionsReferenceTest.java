package dev.stageflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsReferenceTest {

    @Test
    void readmeListsEveryOptionAsTheCodeDeclaresIt() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);

        assertThat(readme)
                .as("README.md option reference is stale: run scripts/generate-docs.sh")
                .isEqualTo(OptionsReference.withReference(readme));
    }

    @Test
    void everyKeyIsDeclaredOnce() {
        Set<String> keys = new HashSet<>();
        OptionsReference.sections().values().forEach(options -> options.forEach(
                o -> assertThat(keys.add(o.option.key())).as("duplicate key %s", o.option.key()).isTrue()));

        assertThat(keys).contains("store.uri", "generator.batch.size", "enhancer.max-in-flight", "redis.password");
    }
}

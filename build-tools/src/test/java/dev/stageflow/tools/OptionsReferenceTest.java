package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.OptionsSection;
import dev.stageflow.config.StageflowOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsReferenceTest {

    private static final Path README = Path.of(System.getProperty("stageflow.root"), "README.md");

    @Test
    void readmeListsEveryOptionAsTheCodeDeclaresIt() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);

        assertThat(readme)
                .as("README.md option reference is stale: run scripts/generate.sh")
                .isEqualTo(OptionsReference.withReference(readme));
    }

    @Test
    void everyClassDeclaringAnOptionIsASectionOfTheReference() {
        assertThat(OptionsReference.classesDeclaringOptions())
                .as("classes with ConfigOption fields; each needs @OptionsSection to be documented")
                .isNotEmpty()
                .allSatisfy(type -> assertThat(type.isAnnotationPresent(OptionsSection.class))
                        .as("%s is annotated with @OptionsSection", type.getName()).isTrue());
    }

    @Test
    void findsTheOptionsOfTheJobAndOfTheCommandLine() {
        assertThat(OptionsReference.sectionClasses()).extracting(Class::getSimpleName)
                .contains("SourceOptions", "StageOptions", "StoreOptions", "CacheOptions", "GcOptions");
    }

    @Test
    void theJobListsEveryOptionsSectionOfTheJob() {
        CodeSource jobCode = StageflowOptions.class.getProtectionDomain().getCodeSource();

        assertThat(OptionsReference.sectionClasses())
                .filteredOn(type -> type.getProtectionDomain().getCodeSource().getLocation().equals(jobCode.getLocation()))
                .as("the @OptionsSection classes of the job module, which its unknown-key check knows from"
                        + " StageflowOptions.CLASSES")
                .containsExactlyInAnyOrderElementsOf(StageflowOptions.CLASSES);
    }

    @Test
    void everyKeyIsDeclaredOnce() {
        Set<String> keys = new HashSet<>();
        OptionsReference.sections().values().forEach(options -> options.forEach(
                o -> assertThat(keys.add(o.option.key())).as("duplicate key %s", o.option.key()).isTrue()));

        assertThat(keys).contains("store.uri", "generator.batch.size", "enhancer.max-in-flight", "redis.password",
                "gc.grace");
    }
}

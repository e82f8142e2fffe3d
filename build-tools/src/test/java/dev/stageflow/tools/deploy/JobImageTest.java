package dev.stageflow.tools.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile of the job image against what {@code mvn package} left in job/target (this
 * module builds after the job). Docker is not needed: nothing here builds the image.
 */
class JobImageTest {

    private final Checkout checkout = Checkout.current();

    @Test
    void dockerfileCopiesWhatTheBuildMadeOnThePomsFlink() throws Exception {
        assertThat(JobImage.ofCheckout(checkout).problems()).isEmpty();
    }

    @Test
    void copiesTheJobJarTheLibrariesAndTheModels() throws Exception {
        Dockerfile dockerfile = dockerfile();

        assertThat(dockerfile.copies()).extracting(Dockerfile.Copy::destination)
                .containsExactlyInAnyOrder("/opt/flink/lib/", "/opt/stageflow/models/", "/opt/flink/usrlib/stageflow-job.jar");
        assertThat(dockerfile.copies()).flatExtracting(Dockerfile.Copy::sources)
                .contains("job/target/stageflow-job-" + checkout.projectVersion() + "-job.jar");
    }

    @Test
    void anotherFlinkVersionIsAProblem() throws Exception {
        String text = Files.readString(checkout.path("Dockerfile")).replace("FROM flink:" + checkout.flinkVersion(), "FROM flink:2.1.0");

        assertThat(problems(text)).anySatisfy(problem -> assertThat(problem).startsWith("FROM flink:2.1.0-java17 is not"));
    }

    @Test
    void aCopyOfAMissingPathIsAProblem() throws Exception {
        String text = Files.readString(checkout.path("Dockerfile")) + "\nCOPY job/target/no-such-dir/ /opt/flink/lib/extra/\n";

        assertThat(problems(text)).contains("COPY job/target/no-such-dir/: no such file after mvn package");
    }

    @Test
    void aPathLeftOutOfTheBuildContextIsAProblem() throws Exception {
        String text = Files.readString(checkout.path("Dockerfile")) + "\nCOPY conf/config.yaml /opt/flink/conf/\n";

        assertThat(problems(text)).containsExactly("COPY conf/config.yaml: .dockerignore leaves it out of the build context");
    }

    @Test
    void aPluginOfAnotherFlinkIsAProblem() throws Exception {
        String text = Files.readString(checkout.path("Dockerfile"))
                .replace("ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-hadoop-" + checkout.flinkVersion(), "ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-hadoop-2.1.0");

        assertThat(problems(text)).containsExactly("ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-hadoop-2.1.0.jar is not flink-s3-fs-hadoop-"
                + checkout.flinkVersion() + ".jar");
    }

    @Test
    void dockerignoreFollowsDockersLastMatchRule() throws Exception {
        JobImage image = new JobImage(checkout, dockerfile(), List.of("*", "!job/target/lib", "job/target/lib/secret.jar"));

        assertThat(image.inBuildContext("job/target/lib/")).isTrue();
        assertThat(image.inBuildContext("job/target/lib/api.jar")).isTrue();
        assertThat(image.inBuildContext("job/target/lib/secret.jar")).isFalse();
        assertThat(image.inBuildContext("job/target/classes")).isFalse();
        assertThat(image.inBuildContext("README.md")).isFalse();
    }

    private Dockerfile dockerfile() throws Exception {
        return new Dockerfile(Files.readString(checkout.path("Dockerfile")));
    }

    private List<String> problems(String dockerfileText) throws Exception {
        return new JobImage(checkout, new Dockerfile(dockerfileText), Files.readAllLines(checkout.path(".dockerignore"))).problems();
    }
}

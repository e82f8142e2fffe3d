package dev.stageflow.tools.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.StageflowJob;
import dev.stageflow.config.JobOperator;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.OptionKeys;
import dev.stageflow.config.Secrets;
import dev.stageflow.redis.RedisSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests of k8s/ as the API server and the job would take them: every file and every
 * rendered kustomization against the operator's CRD and Kubernetes' schemas, the job's arguments
 * against the job's own checks (its options, and the job graph built from them as the job's main
 * builds it in application mode), the deployment against the image and the build, and secrets as
 * references only. No cluster and no kubectl: nothing here is applied.
 */
class KubernetesManifestsTest {

    private static final KubernetesSchemas SCHEMAS = new KubernetesSchemas();
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|key_id|access_key|jaas|token).*");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    private static final String PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private final Checkout checkout = Checkout.current();
    private final Path k8s = checkout.path("k8s");

    @AfterAll
    static void forgetFileSystems() {
        FileSystem.initialize(new Configuration(), null);
    }

    @Test
    void everyManifestIsValidForTheApiServer() throws Exception {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        List<String> kinds = new ArrayList<>();
        for (Path file : manifestFiles()) {
            for (JsonNode manifest : Yaml.documents(file)) {
                kinds.add(manifest.path("kind").asText());
                problems.put(k8s.relativize(file) + " " + manifest.path("kind").asText(), SCHEMAS.problems(manifest));
            }
        }

        assertThat(kinds).containsExactlyInAnyOrder("FlinkDeployment", "StatefulSet", "Service", "PodMonitor");
        assertThat(problems).allSatisfy((manifest, errors) -> assertThat(errors).as(manifest).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
    void renderedKustomizationIsValidForTheApiServer(String kustomization) {
        List<JsonNode> rendered = Kustomization.render(k8s.resolve(kustomization));

        assertThat(rendered).extracting(manifest -> manifest.path("kind").asText())
                .containsExactlyInAnyOrder("FlinkDeployment", "StatefulSet", "Service");
        assertThat(rendered).allSatisfy(manifest -> assertThat(SCHEMAS.problems(manifest))
                .as("%s %s", kustomization, manifest.path("kind").asText()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
    void jobBuildsFromTheDeploymentAsItsMainBuildsIt(String kustomization) {
        StreamGraph graph = buildJob(flinkDeployment(kustomization));

        assertThat(graph.getJobName()).isEqualTo(StageflowJob.JOB_NAME);
        assertThat(graph.getStreamNodes()).extracting(StreamNode::getTransformationUID)
                .contains(JobOperator.COMMIT_RESULTS.uid(), JobOperator.COMMIT_METADATA.uid());
    }

    /**
     * The job graph as StageflowJob.main builds it in application mode: unknown keys refused, the job
     * built from its arguments, Flink given them without the job's secrets on top of the cluster's
     * configuration, and s3:// served by the plugin configured from the cluster's s3.* options, as
     * in a TaskManager of the image.
     */
    private static StreamGraph buildJob(JsonNode deployment) {
        Configuration cluster = Configuration.fromMap(flinkConfiguration(deployment));
        Map<String, String> options = ParameterTool.fromArgs(args(deployment)).toMap();
        FileSystem.initialize(cluster, PluginUtils.createPluginManagerFromRootFolder(cluster));
        OptionKeys.check(options.keySet());
        Configuration job = Configuration.fromMap(options);
        Configuration forFlink = new Configuration(cluster);
        forFlink.addAll(Secrets.withoutJobSecrets(job));
        return StageflowJob.streamGraph(new StreamExecutionEnvironment(forFlink), job);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
    void flinkConfigurationHasOnlyKeysFlinkKnowsAsStrings(String kustomization) {
        Map<String, String> configuration = flinkConfiguration(flinkDeployment(kustomization));

        OptionKeys.check(configuration.keySet());
        assertThat(flinkDeployment(kustomization).path("spec").path("flinkConfiguration"))
                .allSatisfy(value -> assertThat(value.isTextual()).as("%s (older operators take strings only)", value).isTrue());
    }

    @Test
    void deploymentRunsTheImageTheDockerfileBuilds() throws Exception {
        JsonNode spec = Yaml.document(k8s.resolve("base/flinkdeployment.yaml")).path("spec");
        Dockerfile dockerfile = new Dockerfile(Files.readString(checkout.path("Dockerfile")));
        String jobJar = dockerfile.copies().stream()
                .filter(copy -> copy.sources().get(0).endsWith("-job.jar")).findFirst().orElseThrow().destination();
        String[] flink = checkout.flinkVersion().split("\\.");
        Map<String, String> configuration = flinkConfiguration(Yaml.document(k8s.resolve("base/flinkdeployment.yaml")));
        JsonNode clusterYaml = Yaml.document(checkout.path("conf/cluster.yaml"));

        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v" + flink[0] + "_" + flink[1]);
        assertThat(spec.path("image").asText()).endsWith(":" + checkout.projectVersion());
        assertThat(spec.path("job").path("jarURI").asText()).isEqualTo("local://" + jobJar);
        assertThat(spec.path("job").path("entryClass").asText()).isEqualTo(StageflowJob.class.getName());
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(configuration.get("classloader.parent-first-patterns.additional"))
                .isEqualTo(clusterYaml.path("classloader.parent-first-patterns.additional").asText());
        assertThat(configuration.get("env.java.opts.all")).contains("-Dai.djl.offline=true");
        assertThat(find(mainContainer(Yaml.document(k8s.resolve("base/flinkdeployment.yaml"))).path("env"),
                "name", "ENABLE_BUILT_IN_PLUGINS").path("value").asText())
                .isEqualTo(dockerfile.env("ENABLE_BUILT_IN_PLUGINS"))
                .isEqualTo("flink-s3-fs-hadoop-" + checkout.flinkVersion() + ".jar");
        assertThat(configuration).containsEntry("state.backend.type", "rocksdb")
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER);
        assertThat(configuration.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(configuration.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
        assertThat(configuration.get("high-availability.storageDir")).startsWith("s3://");
    }

    @Test
    void prometheusScrapesTheReportersPort() {
        JsonNode deployment = Yaml.document(k8s.resolve("base/flinkdeployment.yaml"));
        JsonNode podTemplate = deployment.path("spec").path("podTemplate");
        String port = flinkConfiguration(deployment).get("metrics.reporter.prom.port");
        JsonNode containerPort = find(mainContainer(deployment).path("ports"), "name", "metrics");
        JsonNode podMonitor = Yaml.document(k8s.resolve("monitoring/podmonitor.yaml"));

        assertThat(containerPort.path("containerPort").asText()).isEqualTo(port);
        assertThat(podTemplate.path("metadata").path("annotations").path("prometheus.io/port").asText()).isEqualTo(port);
        assertThat(podMonitor.path("spec").path("podMetricsEndpoints").get(0).path("port").asText()).isEqualTo("metrics");
        podMonitor.path("spec").path("selector").path("matchLabels").properties().forEach(label ->
                assertThat(podTemplate.path("metadata").path("labels").path(label.getKey()).asText())
                        .as("pod label %s", label.getKey()).isEqualTo(label.getValue().asText()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/local", "overlays/production"})
    void secretsAreReferencesOnly(String kustomization) {
        List<JsonNode> rendered = Kustomization.render(k8s.resolve(kustomization));
        JsonNode deployment = flinkDeployment(kustomization);
        Map<String, String> options = ParameterTool.fromArgs(args(deployment)).toMap();
        List<String> secretEnv = new ArrayList<>();

        assertThat(rendered).noneSatisfy(manifest -> assertThat(manifest.path("kind").asText()).isEqualTo("Secret"));
        for (JsonNode manifest : rendered) {
            for (JsonNode env : manifest.findValues("env")) {
                for (JsonNode variable : env) {
                    String name = variable.path("name").asText();
                    if (SECRET_NAME.matcher(name).matches()) {
                        assertThat(variable.has("value")).as("%s has a value", name).isFalse();
                        assertThat(variable.path("valueFrom").path("secretKeyRef").path("name").asText())
                                .as("%s comes from a secret", name).isNotEmpty();
                    }
                }
            }
        }
        mainContainer(deployment).path("env").forEach(variable -> {
            if (variable.path("valueFrom").has("secretKeyRef")) {
                secretEnv.add(variable.path("name").asText());
            }
        });
        // A secret option's value in the arguments can only be a reference to such a variable (Kafka's
        // EnvVarConfigProvider resolves it in each process): Flink keeps program arguments unmasked.
        options.forEach((key, value) -> {
            if (Secrets.isSecret(key)) {
                Matcher reference = ENV_REFERENCE.matcher(value);
                assertThat(reference.matches()).as("%s is a ${env:...} reference, not a value", key).isTrue();
                assertThat(secretEnv).as("the variable %s references", key).contains(reference.group(1));
            }
        });
        if (options.containsKey("redis.uri")) {
            assertThat(secretEnv).contains(RedisSettings.PASSWORD_ENV);
        }
        boolean s3 = Stream.concat(options.values().stream(), flinkConfiguration(deployment).values().stream())
                .anyMatch(value -> value.startsWith("s3://"));
        assertThat(secretEnv.containsAll(List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")))
                .as("S3 keys from a secret exactly when something is on S3").isEqualTo(s3);
    }

    @Test
    void readmeCreatesEverySecretTheManifestsReference() throws Exception {
        Set<String> referenced = new TreeSet<>();
        for (String kustomization : List.of("base", "overlays/local", "overlays/production")) {
            for (JsonNode manifest : Kustomization.render(k8s.resolve(kustomization))) {
                manifest.findValues("secretKeyRef").forEach(ref ->
                        referenced.add(ref.path("name").asText() + "/" + ref.path("key").asText()));
            }
        }
        String readme = Files.readString(checkout.path("README.md"));
        Set<String> created = new TreeSet<>();
        Matcher command = Pattern.compile("kubectl create secret generic ([a-z0-9-]+)((?:\\s+\\\\?\\s*--from-literal=[a-z0-9-]+=\\S+)+)").matcher(readme);
        while (command.find()) {
            Matcher literal = Pattern.compile("--from-literal=([a-z0-9-]+)=").matcher(command.group(2));
            while (literal.find()) {
                created.add(command.group(1) + "/" + literal.group(1));
            }
        }

        assertThat(referenced).contains("stageflow-s3/access-key-id", "stageflow-redis/password", "stageflow-kafka/sasl-jaas-config");
        assertThat(created).isEqualTo(referenced);
    }

    @Test
    void kafkaClientsOfTheProductionOverlayReadTheJaasConfigurationFromTheEnvironment() {
        Configuration job = Configuration.fromMap(ParameterTool.fromArgs(args(flinkDeployment("overlays/production"))).toMap());
        Map<String, Object> consumer = new HashMap<>(job.get(KafkaOptions.SOURCE_PROPERTIES));
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, Object> producer = new HashMap<>(job.get(KafkaOptions.SINK_PROPERTIES));
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        String fromSecret = System.getenv("KAFKA_SASL_JAAS_CONFIG");
        Map<String, Object> withoutProvider = new HashMap<>(consumer);
        withoutProvider.keySet().removeIf(key -> key.startsWith("config.providers"));

        assertThat(fromSecret).as("set by the build for this test").contains("password=");
        assertThat(new ConsumerConfig(consumer).getPassword(SaslConfigs.SASL_JAAS_CONFIG).value()).isEqualTo(fromSecret);
        assertThat(new ProducerConfig(producer).getPassword(SaslConfigs.SASL_JAAS_CONFIG).value()).isEqualTo(fromSecret);
        assertThat(new ConsumerConfig(withoutProvider).getPassword(SaslConfigs.SASL_JAAS_CONFIG).value())
                .as("without the provider the reference stays as it is").isEqualTo("${env:KAFKA_SASL_JAAS_CONFIG}");
    }

    @Test
    void gpuVariantIsValidAndBuildsOnceUncommented() throws Exception {
        String text = Files.readString(k8s.resolve("base/flinkdeployment.yaml"));
        Matcher block = Pattern.compile("(?s)\\n( *)# gpu:begin\\n(.*?)\\n *# gpu:end").matcher(text);
        StringBuilder uncommented = new StringBuilder();
        int blocks = 0;
        while (block.find()) {
            blocks++;
            block.appendReplacement(uncommented, Matcher.quoteReplacement(
                    "\n" + block.group(2).replaceAll("(?m)^" + block.group(1) + "# ", block.group(1))));
        }
        block.appendTail(uncommented);
        JsonNode deployment = Yaml.documents(uncommented.toString()).get(0);
        Map<String, String> options = ParameterTool.fromArgs(args(deployment)).toMap();

        assertThat(blocks).as("GPU blocks in flinkConfiguration and job.args").isEqualTo(2);
        assertThat(flinkConfiguration(deployment)).containsEntry("external-resource.gpu.kubernetes.config-key", "nvidia.com/gpu");
        assertThat(options).containsEntry("generator.device", "cuda").containsEntry("generator.slot.gpus", "1");
        assertThat(SCHEMAS.problems(deployment)).isEmpty();
        OptionKeys.check(flinkConfiguration(deployment).keySet());
        StreamGraph graph = buildJob(deployment);
        assertThat(graph.getStreamNodes()).filteredOn(node -> JobOperator.IMAGE_GENERATE.uid().equals(node.getTransformationUID()))
                .singleElement().extracting(StreamNode::getSlotSharingGroup).isEqualTo("gpu");
    }

    // --- the checks can fail ---------------------------------------------------------------------

    @Test
    void misspelledFieldOfTheDeploymentIsRefused() {
        ObjectNode deployment = baseDeployment();
        ObjectNode spec = (ObjectNode) deployment.get("spec");
        spec.set("taskManger", spec.remove("taskManager"));

        assertThat(SCHEMAS.problems(deployment)).singleElement().asString().contains("taskManger");
    }

    @Test
    void wrongTypeInTheDeploymentIsRefused() {
        ObjectNode deployment = baseDeployment();
        ((ObjectNode) deployment.path("spec").path("job")).put("parallelism", "two");

        assertThat(SCHEMAS.problems(deployment)).singleElement().asString().contains("parallelism");
    }

    @Test
    void flinkVersionTheOperatorDoesNotKnowIsRefused() {
        ObjectNode deployment = baseDeployment();
        ((ObjectNode) deployment.get("spec")).put("flinkVersion", "v2_3");

        assertThat(SCHEMAS.problems(deployment)).singleElement().asString().contains("flinkVersion");
    }

    @Test
    void podTemplateIsCheckedToTheSecretReference() {
        ObjectNode deployment = baseDeployment();
        ObjectNode valueFrom = (ObjectNode) find(mainContainer(deployment).path("env"), "name", "AWS_ACCESS_KEY_ID").path("valueFrom");
        valueFrom.set("secretKeyRf", valueFrom.remove("secretKeyRef"));

        assertThat(SCHEMAS.problems(deployment)).singleElement().asString().contains("secretKeyRf");
    }

    @Test
    void labelThatIsNotAStringIsRefused() {
        ObjectNode deployment = baseDeployment();
        ((ObjectNode) deployment.path("metadata").path("labels")).put("canary", true);

        assertThat(SCHEMAS.problems(deployment)).singleElement().asString().contains("canary");
    }

    @Test
    void deploymentWithoutANameIsRefused() {
        ObjectNode deployment = baseDeployment();
        ((ObjectNode) deployment.get("metadata")).remove("name");

        assertThat(SCHEMAS.problems(deployment)).isNotEmpty().allSatisfy(problem -> assertThat(problem).contains("name"));
    }

    @Test
    void builtInKindsAreCheckedAgainstKubernetesSchemas() {
        List<JsonNode> redis = Yaml.documents(k8s.resolve("base/redis.yaml"));
        ObjectNode statefulSet = redis.get(0).deepCopy();
        ((ObjectNode) statefulSet.get("spec")).put("replicas", "1");
        ObjectNode service = redis.get(1).deepCopy();
        ObjectNode port = (ObjectNode) service.path("spec").path("ports").get(0);
        port.set("targetPrt", port.remove("targetPort"));
        ObjectNode numericTarget = redis.get(1).deepCopy();
        ((ObjectNode) numericTarget.path("spec").path("ports").get(0)).put("targetPort", 6379);

        assertThat(SCHEMAS.problems(statefulSet)).singleElement().asString().contains("replicas");
        assertThat(SCHEMAS.problems(service)).singleElement().asString().contains("targetPrt");
        assertThat(SCHEMAS.problems(numericTarget)).as("an IntOrString takes an integer too").isEmpty();
    }

    @Test
    void podMonitorIsCheckedAgainstItsCrd() {
        ObjectNode podMonitor = (ObjectNode) Yaml.document(k8s.resolve("monitoring/podmonitor.yaml"));
        ObjectNode spec = (ObjectNode) podMonitor.get("spec");
        spec.set("podMetricsEndpoint", spec.remove("podMetricsEndpoints"));

        assertThat(SCHEMAS.problems(podMonitor)).isNotEmpty()
                .anySatisfy(problem -> assertThat(problem).contains("podMetricsEndpoint"));
    }

    @Test
    void unknownJobOptionIsRefusedAsTheJobRefusesIt() {
        assertThatThrownBy(() -> OptionKeys.check(List.of("store.url")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("did you mean 'store.uri'");
    }

    @Test
    void patchWhoseTestFailsDoesNotRender(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\nresources:\n  - " + k8s.resolve("base") + "\npatches:\n"
                + "  - path: patch.yaml\n    target:\n      kind: FlinkDeployment\n      name: stageflow\n");
        Files.writeString(dir.resolve("patch.yaml"), "- op: test\n  path: /spec/job/upgradeMode\n  value: stateless\n");

        assertThatThrownBy(() -> Kustomization.render(dir)).hasMessageContaining("test failed");
    }

    @Test
    void kustomizationThisTestCannotRenderIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\nresources:\n  - " + k8s.resolve("base") + "\nimages:\n  - name: x\n");

        assertThatThrownBy(() -> Kustomization.render(dir)).hasMessageContaining("'images'");
    }

    // --- helpers -----------------------------------------------------------------------------------

    private List<Path> manifestFiles() throws Exception {
        try (Stream<Path> files = Files.walk(k8s)) {
            return files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
                    .filter(file -> !file.getFileName().toString().endsWith("-patch.yaml"))
                    .sorted().toList();
        }
    }

    private ObjectNode baseDeployment() {
        ObjectNode deployment = (ObjectNode) Yaml.document(k8s.resolve("base/flinkdeployment.yaml"));
        assertThat(SCHEMAS.problems(deployment)).as("the unchanged deployment").isEmpty();
        return deployment;
    }

    private JsonNode flinkDeployment(String kustomization) {
        return Kustomization.render(k8s.resolve(kustomization)).stream()
                .filter(manifest -> manifest.path("kind").asText().equals("FlinkDeployment"))
                .findFirst().orElseThrow();
    }

    private static Map<String, String> flinkConfiguration(JsonNode deployment) {
        Map<String, String> configuration = new LinkedHashMap<>();
        deployment.path("spec").path("flinkConfiguration").properties()
                .forEach(entry -> configuration.put(entry.getKey(), entry.getValue().asText()));
        return configuration;
    }

    private static String[] args(JsonNode deployment) {
        List<String> args = new ArrayList<>();
        deployment.path("spec").path("job").path("args").forEach(arg -> args.add(arg.asText()));
        return args.toArray(String[]::new);
    }

    private static JsonNode mainContainer(JsonNode deployment) {
        return find(deployment.path("spec").path("podTemplate").path("spec").path("containers"), "name", "flink-main-container");
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode item : list) {
            if (item.path(field).asText().equals(value)) {
                return item;
            }
        }
        throw new AssertionError("No item with " + field + " " + value + " in " + list);
    }
}

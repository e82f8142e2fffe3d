package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.Json;
import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.servers.KafkaBroker;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Secrets given to a run are written nowhere they could be read back. A local run ({@code stageflow
 * run} with its web UI on a free port) is given a Redis password that the test's Redis requires, a
 * Kafka {@code sasl.jaas.config} for its result topic and an S3 secret key it never uses, each a
 * distinctive string. While the job runs, the test reads what the web UI shows (the cluster's and
 * the job's configuration, the plan, the exceptions); after it stopped, every file of the run
 * (record, checkpoints, savepoint, results, dead letters, artifacts), everything logged at INFO, what
 * the commands printed, the Redis metadata and the Kafka results. None holds a secret.
 */
@Timeout(600)
class SecretsITCase {

    private static final String REDIS_PASSWORD = "redis-pw-" + UUID.randomUUID();
    private static final String KAFKA_PASSWORD = "kafka-pw-" + UUID.randomUUID();
    /** A Kafka client property Kafka types as a password, which Flink's rule of sensitive keys misses. */
    private static final String KAFKA_PRIVATE_KEY = "kafka-key-" + UUID.randomUUID();
    private static final String S3_SECRET_KEY = "s3-secret-" + UUID.randomUUID();
    private static final Map<String, String> SECRETS = Map.of("the Redis password", REDIS_PASSWORD,
            "the Kafka password", KAFKA_PASSWORD, "the Kafka private key", KAFKA_PRIVATE_KEY, "the S3 secret key", S3_SECRET_KEY);
    private static final String RESULTS_TOPIC = "results";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void secretsAppearInNoRecordLogWebUiResponseOrOutput() throws Exception {
        Path data = dir.resolve("data");
        Path prompts = dir.resolve("prompts.jsonl");
        Files.write(prompts, List.of(
                "{\"promptId\": \"p1\", \"text\": \"a lighthouse at dawn\"}",
                "{\"promptId\": \"p2\", \"text\": \"a red fox in snow\"}",
                "{\"promptId\": \"p3\", \"text\": \"a koi pond\"}",
                "not json"));
        Map<String, String> seen = new LinkedHashMap<>();
        try (RedisServer redis = RedisServer.start(dir.resolve("redis"));
                KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
                CapturedLogs logs = new CapturedLogs()) {
            try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                jedis.configSet("requirepass", REDIS_PASSWORD);
            }
            kafka.createTopic(RESULTS_TOPIC, 1);

            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> CommandLines.execute(out, err, "run",
                    "--prompts", prompts.toString(), "--follow", "--data-dir", data.toString(), "--rest.port", "0",
                    "--request.default-width", "32", "--request.default-height", "32", "--request.default-steps", "1",
                    "--redis.uri", redis.uri().toString(), "--redis.password", REDIS_PASSWORD,
                    "--sink.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "--sink.kafka.results-topic", RESULTS_TOPIC,
                    "--sink.kafka.properties.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"stageflow\""
                            + " password=\"" + KAFKA_PASSWORD + "\";",
                    "--sink.kafka.properties.ssl.keystore.key",
                    "-----BEGIN PRIVATE KEY-----\n" + KAFKA_PRIVATE_KEY + "\n-----END PRIVATE KEY-----",
                    "--s3.access-key", "stageflow", "--s3.secret-key", S3_SECRET_KEY));
            RunRecord record = awaitCommitted(data, run);
            seen.putAll(webUi(record));

            ByteArrayOutputStream stopped = new ByteArrayOutputStream();
            assertThat(CommandLines.execute(stopped, err, "stop", "--data-dir", data.toString()))
                    .as(stopped.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(run.get(3, TimeUnit.MINUTES)).as(printed()).isZero();
            seen.put("output of run and stop", printed() + stopped.toString(StandardCharsets.UTF_8));
            seen.put("log", logs.text());
            seen.putAll(files(data));
            seen.putAll(metadata(redis));
            kafka.readCommitted(RESULTS_TOPIC)
                    .forEach(result -> seen.merge("Kafka topic " + RESULTS_TOPIC, result.value() + "\n", String::concat));
        }

        assertThat(seen.get("log")).as("the job's own log lines were captured").contains("dev.stageflow");
        assertThat(Json.MAPPER.readValue(seen.get(runFile(data)), RunRecord.class).options)
                .as("the secrets were given and recorded as hidden")
                .containsEntry("redis.password", GlobalConfiguration.HIDDEN_CONTENT)
                .containsEntry("s3.secret-key", GlobalConfiguration.HIDDEN_CONTENT)
                .containsEntry("sink.kafka.properties.sasl.jaas.config", GlobalConfiguration.HIDDEN_CONTENT)
                .containsEntry("sink.kafka.properties.ssl.keystore.key", GlobalConfiguration.HIDDEN_CONTENT);
        assertThat(seen).as("the Redis password worked: the metadata of each committed prompt is in Redis")
                .containsKeys("Redis " + PromptMetadata.keyOf("p1"), "Redis " + PromptMetadata.keyOf("p2"),
                        "Redis " + PromptMetadata.keyOf("p3"));
        assertThat(seen.get("Kafka topic " + RESULTS_TOPIC)).contains("\"p1\"", "\"p2\"", "\"p3\"");
        assertThat(leaks(seen)).as("places that show a secret").isEmpty();
    }

    /** Waits until the run committed its 3 results and 1 dead letter; returns its record. */
    private RunRecord awaitCommitted(Path data, CompletableFuture<Integer> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline) {
            assertThat(run).as("the run ended early: " + printed()).isNotDone();
            Optional<RunRecord> record = runRecord(data).filter(r -> r.lastJob().isPresent());
            if (record.isPresent()) {
                org.apache.flink.core.fs.Path outputDir = new org.apache.flink.core.fs.Path(record.get().outputDir);
                if (CommittedOutput.results(outputDir).size() == 3 && CommittedOutput.deadLetters(outputDir).size() == 1) {
                    return record.get();
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("The run did not commit 3 results and 1 dead letter in time: " + printed());
    }

    private static Optional<RunRecord> runRecord(Path data) throws IOException {
        Path runs = data.resolve(RunRecord.RUNS);
        if (!Files.isDirectory(runs)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            Optional<Path> file = dirs.map(run -> run.resolve(RunRecord.FILE)).filter(Files::isRegularFile).findFirst();
            return file.isPresent() ? Optional.of(Json.MAPPER.readValue(file.get().toFile(), RunRecord.class)) : Optional.empty();
        }
    }

    private static String runFile(Path data) throws IOException {
        try (Stream<Path> dirs = Files.list(data.resolve(RunRecord.RUNS))) {
            return data.relativize(dirs.findFirst().orElseThrow().resolve(RunRecord.FILE)).toString();
        }
    }

    /** What the web UI shows of the cluster, its TaskManagers and the job, by REST path. */
    private Map<String, String> webUi(RunRecord record) throws Exception {
        String job = "/jobs/" + record.lastJob().orElseThrow().jobId;
        List<String> paths = new ArrayList<>(List.of("/config", "/jobmanager/config", "/jobmanager/environment",
                "/taskmanagers", job, job + "/config", job + "/plan", job + "/jobmanager/config", job + "/exceptions",
                job + "/checkpoints/config"));
        Map<String, String> responses = new LinkedHashMap<>();
        for (String path : paths) {
            responses.put("GET " + path, get(record.restAddress, path));
        }
        for (JsonNode taskManager : Json.MAPPER.readTree(responses.get("GET /taskmanagers")).path("taskmanagers")) {
            String path = "/taskmanagers/" + taskManager.path("id").asText();
            responses.put("GET " + path, get(record.restAddress, path));
        }
        assertThat(responses.get("GET /jobmanager/config"))
                .as("the cluster's configuration holds Flink's secrets, hidden, and none of the job's")
                .contains("\"s3.secret-key\",\"value\":\"" + GlobalConfiguration.HIDDEN_CONTENT)
                .doesNotContain("redis.password", "sasl.jaas.config", "ssl.keystore.key");
        return responses;
    }

    private String get(String restAddress, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + restAddress + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    /** Every file under {@code data}, by path: run record, checkpoints, savepoints, committed output, artifacts. */
    private static Map<String, String> files(Path data) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(data)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                // ISO-8859-1 maps every byte to a char: an ASCII secret in a binary file is found too.
                files.put(data.relativize(file).toString(), new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(files.keySet()).as("the run's files").anyMatch(path -> path.contains("/savepoints/"))
                .anyMatch(path -> path.contains("/out/results/"));
        return files;
    }

    /** Every Redis key with its value. */
    private static Map<String, String> metadata(RedisServer redis) {
        Map<String, String> values = new LinkedHashMap<>();
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.auth(REDIS_PASSWORD);
            for (String key : jedis.keys("*")) {
                values.put("Redis " + key, "hash".equals(jedis.type(key)) ? jedis.hgetAll(key).toString() : jedis.type(key));
            }
        }
        return values;
    }

    /** Where each secret was seen. */
    private static List<String> leaks(Map<String, String> seen) {
        List<String> leaks = new ArrayList<>();
        seen.forEach((place, text) -> SECRETS.forEach((secret, value) -> {
            if (text.contains(value)) {
                leaks.add(place + " shows " + secret);
            }
        }));
        return leaks;
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }
}

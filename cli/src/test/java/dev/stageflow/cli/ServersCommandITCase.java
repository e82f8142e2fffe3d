package dev.stageflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.servers.LocalServers.Kind;
import dev.stageflow.servers.LocalServers.Server;
import dev.stageflow.servers.LocalServers;
import dev.stageflow.servers.S3ProxyServer;
import dev.stageflow.sink.CommittedOutput;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code stageflow servers} as a user runs them, on free ports: Redis, Kafka, S3 and HDFS start in
 * the background, answer, are found again by {@code status}, carry a {@code run --layout seed}
 * (latents and images on the S3 server, enhanced images on HDFS), and {@code stop} leaves no process.
 */
class ServersCommandITCase {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stopServers() {
        stageflow("servers", "stop");
        S3ProxyServer.resetFlinkFileSystems();
    }

    @Test
    void serversStartAnswerCarryASeedLayoutRunAndStop() throws Exception {
        assertThat(stageflow("servers", "start", "--port", "redis=0", "--port", "kafka=0", "--port", "s3=0",
                "--port", "hdfs=0")).as(printed()).isZero();
        assertThat(stageflow("servers", "status")).as(printed()).isZero();
        LocalServers servers = new LocalServers(dir.resolve("data"));
        Map<Kind, Server> running = Stream.of(Kind.values())
                .collect(java.util.stream.Collectors.toMap(kind -> kind, kind -> servers.status(kind).orElseThrow()));
        assertThat(printed()).contains("redis: running", "kafka: running", "s3: running", "hdfs: running",
                running.get(Kind.REDIS).jobOptions().get("redis.uri"));
        URI redis = URI.create(running.get(Kind.REDIS).jobOptions().get("redis.uri"));
        try (Jedis jedis = new Jedis(redis.getHost(), redis.getPort(), 2000)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                running.get(Kind.KAFKA).jobOptions().get("source.kafka.bootstrap-servers")))) {
            assertThat(kafka.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }

        Path prompts = Files.write(dir.resolve("prompts.jsonl"), List.of(
                "{\"promptId\": \"seed-1\", \"text\": \"a lighthouse at dawn\"}",
                "{\"promptId\": \"seed-2\", \"text\": \"a red fox in snow\"}"));
        assertThat(stageflow("run", "--layout", "seed", "--prompts", prompts.toString(), "--rest.port", "0",
                "--request.default-width", "32", "--request.default-height", "32", "--request.default-steps", "1"))
                .as(printed()).isZero();
        assertThat(printed()).contains("Seed layout", "Committed   2 prompts");
        RunRecord run = newestRun();
        List<GenerationResult> results = CommittedOutput.results(new org.apache.flink.core.fs.Path(run.outputDir));
        assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrder("seed-1", "seed-2");
        assertThat(results).allSatisfy(result -> {
            assertThat(result.generate.artifacts).allSatisfy(ref -> assertThat(ref.uri).startsWith("s3://stageflow/store/"));
            assertThat(result.image.uri).startsWith("hdfs://127.0.0.1:" + running.get(Kind.HDFS).port() + "/stageflow/store/");
        });
        assertThat(stageflow("inspect", "seed-1", "--verify")).as(printed()).isZero();

        assertThat(stageflow("servers", "stop")).isZero();
        assertThat(running.values()).allSatisfy(server -> assertThat(ProcessHandle.of(server.pid())).isEmpty());
        assertThat(stageflow("servers", "status")).isEqualTo(3);
    }

    private int stageflow(String... args) {
        out.reset();
        err.reset();
        String[] rest = Stream.concat(Stream.of(args).skip(1), Stream.of("--data-dir", dir.resolve("data").toString()))
                .toArray(String[]::new);
        return CommandLines.execute(out, err, args[0], rest);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    private RunRecord newestRun() throws Exception {
        try (Stream<Path> runs = Files.list(dir.resolve("data").resolve(RunRecord.RUNS))) {
            return Json.MAPPER.readValue(runs.max(Path::compareTo).orElseThrow().resolve(RunRecord.FILE).toFile(),
                    RunRecord.class);
        }
    }
}

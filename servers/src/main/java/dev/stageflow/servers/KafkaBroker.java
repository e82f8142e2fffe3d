package dev.stageflow.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka broker: Apache Kafka 4.2 in KRaft mode, one node that is broker and
 * controller, in a child JVM ({@link ChildJvm}, classpath from {@code servers/kafka/pom.xml}) on
 * free loopback ports, keeping its data under the directory given to {@link #start}. The internal
 * topics (consumer offsets, transaction state) have replication factor 1, so consumer groups and
 * transactions work. Tests create their topics with {@link #createTopic}.
 *
 * <p>The helpers are plain Kafka clients in this JVM: {@link #produce} writes records and
 * waits for their acknowledgement, {@link #readCommitted} reads a topic as a {@code
 * read_committed} consumer up to its end.
 */
public final class KafkaBroker implements AutoCloseable {

    /** A record's key (may be null) and value. */
    public record KeyValue(String key, String value) {}

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private final ChildJvm jvm;
    private final String bootstrapServers;
    private final Admin admin;

    private KafkaBroker(ChildJvm jvm, String bootstrapServers) {
        this.jvm = jvm;
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis()));
    }

    /** Starts a broker on free ports with its data under {@code dir}; returns once it serves requests. */
    public static KafkaBroker start(Path dir) {
        return start(dir, 0, false);
    }

    /**
     * Starts a broker on {@code port} (0: a free one), its controller on a free port, keeping its
     * data under {@code dir}: storage is formatted the first time, and kept after; returns once it
     * serves requests. With {@code createTopicsOnUse}, a topic is created (2 partitions) when first
     * written or read, as a user feeding prompts expects; tests create theirs explicitly.
     */
    public static KafkaBroker start(Path dir, int port, boolean createTopicsOnUse) {
        int brokerPort = Ports.requested(port);
        int controllerPort = Ports.free();
        Path properties = dir.resolve("server.properties").toAbsolutePath();
        Path logDir = dir.resolve("logs").toAbsolutePath();
        writeProperties(properties, logDir, brokerPort, controllerPort, createTopicsOnUse);
        List<String> jvmOptions = jvmOptions(dir);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            ChildJvm.run("kafka", jvmOptions, "kafka.tools.StorageTool",
                    List.of("format", "--cluster-id", Uuid.randomUuid().toString(), "--config", properties.toString()),
                    dir.resolve("kafka-format.log"), STARTUP_TIMEOUT);
        }
        ChildJvm jvm = ChildJvm.start("kafka", jvmOptions, "kafka.Kafka", List.of(properties.toString()),
                dir.resolve("kafka.log"));
        jvm.awaitPort(brokerPort, STARTUP_TIMEOUT);
        KafkaBroker broker = new KafkaBroker(jvm, "127.0.0.1:" + brokerPort);
        try {
            broker.admin.describeCluster().nodes().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            broker.close();
            throw new IllegalStateException("Kafka broker on port " + brokerPort + " did not answer within "
                    + STARTUP_TIMEOUT, e);
        }
        return broker;
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public void createTopic(String name, int partitions) {
        await(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all(), "create topic " + name);
    }

    /**
     * Writes {@code records} to {@code topic} in order and waits until the broker has acknowledged
     * each. Record {@code i} goes to partition {@code i mod partitions}, whatever its key, so even a
     * short input covers every partition.
     */
    public void produce(String topic, List<KeyValue> records) {
        Map<String, Object> config = clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            int partitions = producer.partitionsFor(topic).size();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                KeyValue record = records.get(i);
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, record.key(), record.value())));
            }
            for (Future<RecordMetadata> ack : sent) {
                await(ack, "produce to " + topic);
            }
        }
    }

    /**
     * Every committed record of {@code topic}, partition by partition in offset order, read with
     * {@code isolation.level=read_committed} from the beginning up to the end offsets at the time
     * of the call (the last stable offsets: an open transaction ends the read where it begins).
     */
    public List<KeyValue> readCommitted(String topic) {
        Map<String, Object> config = clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, CLIENT_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, CLIENT_TIMEOUT);
            Map<TopicPartition, List<KeyValue>> read = new HashMap<>();
            long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " up to " + end + " within " + CLIENT_TIMEOUT);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(partition)) {
                        read.computeIfAbsent(partition, p -> new ArrayList<>()).add(new KeyValue(record.key(), record.value()));
                    }
                }
            }
            List<KeyValue> records = new ArrayList<>();
            partitions.forEach(partition -> records.addAll(read.getOrDefault(partition, List.of())));
            return records;
        }
    }

    /** Lets the broker outlive this JVM; returns its process id. */
    public long detach() {
        admin.close(Duration.ofSeconds(5));
        jvm.detach();
        return jvm.pid();
    }

    /** Stops the broker's JVM. */
    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        jvm.close();
    }

    private static boolean reachedEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), CLIENT_TIMEOUT) >= e.getValue());
    }

    private Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka could not " + what, e);
        }
    }

    private static List<String> jvmOptions(Path dir) {
        return List.of("-Xmx512m",
                "-Dlog4j2.configurationFile=" + ChildJvm.configFile("kafka", "log4j2.properties", dir));
    }

    /**
     * One KRaft node that is broker and controller. Replication factor 1 for every internal topic
     * (one broker); no delay before the first consumer group rebalance; automatic topics only if asked.
     */
    private static void writeProperties(Path file, Path logDir, int brokerPort, int controllerPort,
            boolean createTopicsOnUse) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", Boolean.toString(createTopicsOnUse));
        p.setProperty("num.partitions", "2");
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(out, "Kafka broker started by stageflow");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}

package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.testing.ExactlyOnce;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.LineageRows;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import dev.stageflow.testing.faults.FailingMap;
import dev.stageflow.testing.faults.InjectedFailures;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lineage table ({@code sink.lineage.parquet.dir}) after real runs, read back with Parquet's
 * reader: it holds exactly the committed results, each once, every column equal to the JSON
 * result's, also when the job fails and restarts between commits, and when it is turned on and off
 * across savepoints; and DuckDB answers the README's queries on it.
 */
class LineageTableITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final int PARALLELISM = 2;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    /** The table's directory in the README's queries. */
    private static final String README_DIR = "data/lineage";

    @TempDir
    Path dir;

    @BeforeEach
    void forgetEarlierFailures() {
        InjectedFailures.reset();
    }

    /**
     * A first prompt file is committed (results and lineage); then, while a second file's prompts
     * are written, the job fails once behind the result rows, with part files of the table in
     * progress, and restarts from its last checkpoint. At the end the table's rows are the
     * committed results, each once.
     */
    @Test
    void restartedJobWritesEachCommittedResultOnce() throws Exception {
        Configuration conf = followingJob();
        List<String> first = TestPrompts.mixed("first", 12);
        List<String> second = TestPrompts.mixed("second", 12);
        Set<String> firstIds = TestJobs.validPromptIds(first, conf);
        List<String> lines = new ArrayList<>(first);
        lines.addAll(second);
        Set<String> allIds = TestJobs.validPromptIds(lines, conf);
        // The failing operator counts the results of its subtask 0: fail at its first result of the second file.
        int failAt = onSubtaskZero(firstIds) + 1;
        assertThat(onSubtaskZero(TestJobs.validPromptIds(second, conf))).as("second file's prompts on subtask 0")
                .isPositive();

        JobRuns.publish(Files.createDirectories(prompts()), "first.jsonl", first);
        JobClient job = start(conf, failAt);
        try {
            JobRuns.await("the first file's results and lineage", TIMEOUT, job,
                    () -> TestJobs.committedIds(out()).equals(firstIds) && lineageIds().equals(firstIds));
            assertThat(InjectedFailures.all()).as("failures before the second file").isEmpty();
            JobRuns.publish(prompts(), "second.jsonl", second);
            JobRuns.await("every result and its lineage", TIMEOUT, job,
                    () -> TestJobs.committedIds(out()).equals(allIds) && lineageIds().equals(allIds));
        } finally {
            JobRuns.cancel(job);
        }

        assertThat(InjectedFailures.all()).as("injected failures").containsExactly("lineage");
        List<GenerationResult> results = ExactlyOnce.assertCommittedExactlyOnce(
                out(), allIds, TestJobs.deadLetterInputs(lines, conf), conf);
        assertLineageEquals(results);
    }

    /**
     * The table turned on for a job resumed from a savepoint (a new operator, no state to restore)
     * holds exactly the results committed from then on; turned off again, the savepoint holds the
     * table's sink state, which the job no longer has: {@code
     * execution.state-recovery.ignore-unclaimed-state} lets it resume.
     */
    @Test
    void tableTurnedOnAndOffAcrossSavepoints() throws Exception {
        Configuration withoutTable = followingJob();
        withoutTable.removeConfig(SinkOptions.LINEAGE_PARQUET_DIR);
        List<String> lines = new ArrayList<>();
        Set<String> firstIds = addPromptFile("first", lines, withoutTable);
        JobClient first = start(withoutTable, Integer.MAX_VALUE);
        String beforeTable = committedThenSavepoint(first, firstIds);

        Configuration withTable = followingJob();
        withTable.set(StateRecoveryOptions.SAVEPOINT_PATH, beforeTable);
        Set<String> secondIds = addPromptFile("second", lines, withTable);
        JobClient second = start(withTable, Integer.MAX_VALUE);
        String withTableSavepoint = committedThenSavepoint(second, TestJobs.validPromptIds(lines, withTable));
        assertThat(lineageIds()).as("the table holds what was committed while it was on").isEqualTo(secondIds);

        Configuration offAgain = new Configuration(withoutTable);
        offAgain.set(StateRecoveryOptions.SAVEPOINT_PATH, withTableSavepoint);
        offAgain.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        addPromptFile("third", lines, offAgain);
        JobClient third = start(offAgain, Integer.MAX_VALUE);
        committedThenSavepoint(third, TestJobs.validPromptIds(lines, offAgain));

        List<GenerationResult> results = ExactlyOnce.assertCommittedExactlyOnce(
                out(), TestJobs.validPromptIds(lines, withoutTable), TestJobs.deadLetterInputs(lines, withoutTable),
                withoutTable);
        assertLineageEquals(results.stream().filter(result -> secondIds.contains(result.promptId)).toList());
    }

    /** Publishes 8 more prompts (and invalid lines) as the file {@code name}, adds them to {@code lines}; their valid ids. */
    private Set<String> addPromptFile(String name, List<String> lines, Configuration conf) throws Exception {
        List<String> file = TestPrompts.mixed(name, 8);
        JobRuns.publish(Files.createDirectories(prompts()), name + ".jsonl", file);
        lines.addAll(file);
        return TestJobs.validPromptIds(file, conf);
    }

    /** Waits until exactly {@code ids} are committed, then stops {@code job} with a savepoint, whose path it returns. */
    private String committedThenSavepoint(JobClient job, Set<String> ids) throws Exception {
        try {
            JobRuns.await("the results of " + ids.size() + " prompts", TIMEOUT, job,
                    () -> TestJobs.committedIds(out()).equals(ids));
            String savepoint = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            JobRuns.awaitTermination(job);
            return savepoint;
        } catch (Exception | AssertionError e) {
            try {
                JobRuns.cancel(job);
            } catch (Exception cancelFailed) {
                e.addSuppressed(cancelFailed);
            }
            throw e;
        }
    }

    /**
     * The README's lineage queries (the {@code sql} blocks of its "Lineage table" section), run in
     * DuckDB on the table of a run of the example prompts: DuckDB reads every file the job wrote,
     * and the queries answer as the README says.
     */
    @Test
    void readmeQueriesRunInDuckDb() throws Exception {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.PROMPTS, TestPrompts.examples().toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, out().toUri().toString());
        conf.set(SinkOptions.LINEAGE_PARQUET_DIR, lineage().toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        TestJobs.run(conf, "lineage-examples");
        List<GenerationResult> results = TestJobs.results(out());
        assertThat(results).extracting(result -> result.promptId).as("the example prompts, committed")
                .containsExactlyInAnyOrderElementsOf(TestJobs.validPromptIds(
                        Files.readAllLines(TestPrompts.examples()), conf));
        assertLineageEquals(results);

        List<String> queries = readmeQueries();
        assertThat(queries).as("the README's lineage queries").hasSize(4);
        List<List<List<Object>>> answers = new ArrayList<>();
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duckdb.createStatement()) {
            for (String query : queries) {
                answers.add(rows(statement.executeQuery(query.replace(README_DIR, lineage().toString()))));
            }
        }
        long prompts = results.size();
        assertThat(answers.get(0)).as("rows and prompts").containsExactly(List.of(prompts, prompts));
        assertThat(answers.get(1)).as("prompts by generator cache hit")
                .extracting(row -> (Long) row.get(1)).containsOnly(prompts).hasSize(1);
        assertThat(answers.get(2)).as("images and bytes by model version").containsExactly(List.of(
                results.get(0).generate.modelVersion, prompts,
                BigInteger.valueOf(results.stream().mapToLong(r -> r.image.storedSize).sum())));
        assertThat(answers.get(3)).as("image-generate's artifacts, a latent and an image each")
                .hasSize(2 * results.size())
                .extracting(row -> row.get(1)).containsOnly("image", "latent");
    }

    /** The statements of the {@code sql} blocks of the README's "Lineage table" section, comments removed. */
    private static List<String> readmeQueries() throws Exception {
        String readme = Files.readString(TestPrompts.projectFile("README.md"));
        int start = readme.indexOf("### Lineage table");
        assertThat(start).as("README section 'Lineage table'").isNotNegative();
        int end = readme.indexOf("\n## ", start);
        Matcher blocks = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL)
                .matcher(readme.substring(start, end < 0 ? readme.length() : end));
        List<String> queries = new ArrayList<>();
        while (blocks.find()) {
            String code = blocks.group(1).lines().filter(line -> !line.startsWith("--"))
                    .collect(Collectors.joining("\n"));
            Stream.of(code.split(";")).map(String::strip).filter(query -> !query.isEmpty()).forEach(queries::add);
        }
        return queries;
    }

    private static List<List<Object>> rows(ResultSet resultSet) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        int columns = resultSet.getMetaData().getColumnCount();
        while (resultSet.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                row.add(resultSet.getObject(i));
            }
            rows.add(row);
        }
        return rows;
    }

    private void assertLineageEquals(List<GenerationResult> results) {
        List<Map<String, Object>> rows = LineageRows.read(lineage());
        assertThat(rows).extracting(row -> row.get("prompt_id")).as("lineage rows, each promptId once")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(results.stream().map(r -> r.promptId).toList());
        assertThat(rows).as("every column of each row equals the committed result's")
                .containsExactlyInAnyOrderElementsOf(results.stream().map(LineageRows::expected).toList());
    }

    /** Follows the prompt directory until cancelled; quick restarts. */
    private Configuration followingJob() {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.PROMPTS, prompts().toUri().toString());
        conf.set(SourceOptions.FOLLOW, true);
        conf.set(SourceOptions.MONITOR_INTERVAL, Duration.ofMillis(200));
        conf.set(SinkOptions.OUTPUT_DIR, out().toUri().toString());
        conf.set(SinkOptions.LINEAGE_PARQUET_DIR, lineage().toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /**
     * The job with a failing operator behind its result rows: subtask 0 fails once, at its {@code
     * failAt}-th result (never: {@code Integer.MAX_VALUE}).
     */
    private static JobClient start(Configuration conf, int failAt) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        StageflowJob.Input input = StageflowJob.input(env, conf);
        StageflowPipeline.Outputs outputs = StageflowPipeline.build(input.lines(), conf);
        StageflowJob.commit(env, conf, new StageflowPipeline.Outputs(
                FailingMap.behind(outputs.results(), "lineage", failAt, 1), outputs.deadLetters()));
        return env.executeAsync("lineage-restart");
    }

    /**
     * How many of {@code promptIds} the subtask 0 of the result rows sees: dedupe keys by promptId,
     * and the stages behind it keep each record on its key's subtask (forward, same parallelism).
     */
    private static int onSubtaskZero(Set<String> promptIds) {
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(PARALLELISM);
        return (int) promptIds.stream()
                .filter(id -> KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxParallelism, PARALLELISM) == 0)
                .count();
    }

    private Set<String> lineageIds() {
        return LineageRows.read(lineage()).stream().map(row -> (String) row.get("prompt_id"))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private Path prompts() {
        return dir.resolve("prompts");
    }

    private Path out() {
        return dir.resolve("out");
    }

    private Path lineage() {
        return dir.resolve("lineage");
    }
}

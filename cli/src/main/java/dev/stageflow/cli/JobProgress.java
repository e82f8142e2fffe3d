package dev.stageflow.cli;

import dev.stageflow.config.JobOperator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;

/**
 * The console progress line of a run: records per stage from the job's REST API (the numbers the
 * web UI shows), found by vertex id, never by display name: a vertex is named by the uid of its
 * first operator in the job graph. With operator chaining off (the local run's configuration)
 * every operator is its own vertex and every stage shows; a chained stage is left out. Done and
 * total come from the committed output, which is what counts.
 */
final class JobProgress {

    /** What the line shows per operator: its label, and whether it counts records in (else out). */
    private record Column(String label, boolean recordsIn) {}

    private static final Map<JobOperator, Column> COLUMNS = new EnumMap<>(Map.of(
            JobOperator.PARSE_VALIDATE, new Column("parsed", true),
            JobOperator.TEXT_ENCODE, new Column("encoded", false),
            JobOperator.IMAGE_GENERATE, new Column("generated", false),
            JobOperator.IMAGE_ENHANCE, new Column("enhanced", false),
            JobOperator.COMMIT_RESULTS, new Column("to commit", true),
            JobOperator.COMMIT_DEAD_LETTERS, new Column("dead", true)));
    private static final int BAR_WIDTH = 30;

    private final Map<JobVertexID, JobOperator> vertices;
    private final PrintWriter out;
    private final boolean interactive = System.console() != null;
    private final long startNanos = System.nanoTime();
    private long lastPrintNanos;
    private String lastLine = "";

    JobProgress(JobGraph graph, PrintWriter out) {
        this.out = out;
        this.vertices = headOperators(graph);
    }

    /** The operator at the head of each vertex of {@code graph} (the first of its chain), by vertex. */
    static Map<JobVertexID, JobOperator> headOperators(JobGraph graph) {
        Map<JobVertexID, JobOperator> heads = new HashMap<>();
        for (JobVertex vertex : graph.getVertices()) {
            List<OperatorIDPair> operators = vertex.getOperatorIDs();
            // A chain's operators are listed from its last to its first (head) operator.
            String headUid = operators.get(operators.size() - 1).getUserDefinedOperatorUid();
            for (JobOperator operator : JobOperator.values()) {
                if (operator.uid().equals(headUid)) {
                    heads.put(vertex.getID(), operator);
                }
            }
        }
        return heads;
    }

    /** Prints the line for the job's current details; {@code done} of {@code total} prompt lines are committed. */
    void show(JobDetailsInfo details, long done, long total) {
        print(render(counts(details), done, total));
    }

    /**
     * Results and dead letters that reached their commit operators in the current attempt (0 when
     * those are chained into other vertices, so not counted): they are committed by the next checkpoint.
     */
    long atCommit(JobDetailsInfo details) {
        Map<JobOperator, Long> counts = counts(details);
        return counts.getOrDefault(JobOperator.COMMIT_RESULTS, 0L) + counts.getOrDefault(JobOperator.COMMIT_DEAD_LETTERS, 0L);
    }

    private Map<JobOperator, Long> counts(JobDetailsInfo details) {
        Map<JobOperator, Long> counts = new EnumMap<>(JobOperator.class);
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : details.getJobVertexInfos()) {
            JobOperator operator = vertices.get(vertex.getJobVertexID());
            Column column = operator == null ? null : COLUMNS.get(operator);
            if (column != null) {
                counts.put(operator, column.recordsIn()
                        ? vertex.getJobVertexMetrics().getRecordsRead()
                        : vertex.getJobVertexMetrics().getRecordsWritten());
            }
        }
        return counts;
    }

    private String render(Map<JobOperator, Long> counts, long done, long total) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder line = new StringBuilder();
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
            line.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
            line.append(String.format("%d/%d committed  ", done, total));
        } else {
            line.append(String.format("%d committed  ", done));
        }
        counts.forEach((operator, count) -> line.append(COLUMNS.get(operator).label()).append(' ').append(count).append("  "));
        line.append(String.format("%.0fs", seconds));
        return line.toString();
    }

    private void print(String line) {
        long now = System.nanoTime();
        boolean due = interactive || now - lastPrintNanos > Duration.ofSeconds(5).toNanos();
        if (line.equals(lastLine) || !due) {
            return;
        }
        lastLine = line;
        lastPrintNanos = now;
        out.print(interactive ? "\r" + line + "\u001B[K" : line + "\n");
        out.flush();
    }

    /** Ends the progress line. */
    void finish() {
        if (interactive) {
            out.println();
        }
    }
}

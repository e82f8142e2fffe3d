package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.PromptRequest;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DedupeStageTest {

    private static PromptRequest prompt(String id) {
        return new PromptRequest(id, "text of " + id, 1, 64, 64, 2, "natural", 0);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PromptRequest, PromptRequest> harness(Duration ttl)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DedupeStage(ttl)), r -> r.promptId, Types.STRING);
    }

    private static List<String> emittedIds(KeyedOneInputStreamOperatorTestHarness<String, PromptRequest, PromptRequest> h) {
        return h.extractOutputValues().stream().map(r -> r.promptId).toList();
    }

    @Test
    void dropsAPromptIdSeenBefore() throws Exception {
        try (var h = harness(Duration.ofHours(1))) {
            h.open();
            h.processElement(prompt("a"), 0);
            h.processElement(prompt("b"), 0);
            h.processElement(prompt("a"), 0);

            assertThat(emittedIds(h)).containsExactly("a", "b");
        }
    }

    @Test
    void stillDropsADuplicateAfterSnapshotAndRestoreIntoANewHarness() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = harness(Duration.ofHours(1))) {
            before.open();
            before.processElement(prompt("a"), 0);
            before.processElement(prompt("b"), 0);
            snapshot = before.snapshot(1L, 1L);
        }

        try (var after = harness(Duration.ofHours(1))) {
            after.initializeState(snapshot);
            after.open();
            after.processElement(prompt("b"), 0);
            after.processElement(prompt("c"), 0);
            after.processElement(prompt("a"), 0);

            assertThat(emittedIds(after)).containsExactly("c");
        }
    }

    @Test
    void forgetsAPromptIdAfterItsTtl() throws Exception {
        try (var h = harness(Duration.ofMillis(100))) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(prompt("a"), 0);
            h.setStateTtlProcessingTime(500);
            h.processElement(prompt("a"), 0);

            assertThat(emittedIds(h)).containsExactly("a", "a");
        }
    }
}

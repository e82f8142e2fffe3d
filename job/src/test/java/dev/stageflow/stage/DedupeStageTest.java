package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.DeadLetterReason;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRequest;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DedupeStageTest {

    private static final String CONFLICT = "promptId a was accepted before with different content"
            + " (text or parameters); an id names one prompt, the first one keeps it";

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
    void theSameIdWithDifferentContentIsAConflictEvenAfterRestore() throws Exception {
        PromptRequest otherText = new PromptRequest("a", "another text", 1, 64, 64, 2, "natural", 5);
        PromptRequest otherSeed = new PromptRequest("a", "text of a", 2, 64, 64, 2, "natural", 6);
        PromptRequest sameContentLater = new PromptRequest("a", "text of a", 1, 64, 64, 2, "natural", 7);
        OperatorSubtaskState snapshot;
        try (var before = harness(Duration.ofHours(1))) {
            before.open();
            before.processElement(prompt("a"), 0);
            snapshot = before.snapshot(1L, 1L);
        }

        try (var after = harness(Duration.ofHours(1))) {
            after.initializeState(snapshot);
            after.open();
            after.processElement(otherText, 0);
            after.processElement(sameContentLater, 0);
            after.processElement(otherSeed, 0);

            assertThat(emittedIds(after)).isEmpty();
            assertThat(after.getSideOutput(ParseValidateStage.DEAD_LETTERS)).extracting(record -> record.getValue())
                    .containsExactly(
                            new DeadLetter(DeadLetterReason.PROMPT_ID_CONFLICT, CONFLICT, Json.write(otherText), 5),
                            new DeadLetter(DeadLetterReason.PROMPT_ID_CONFLICT, CONFLICT, Json.write(otherSeed), 6));
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

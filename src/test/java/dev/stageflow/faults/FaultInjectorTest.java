package dev.stageflow.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.TestingOptions;
import dev.stageflow.faults.FaultInjector.InjectedFailure;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultInjectorTest {

    @TempDir
    Path dir;

    private static Configuration failing(String stage, String point, int afterRecords, int attempts) {
        Configuration conf = new Configuration();
        conf.set(TestingOptions.FAIL_STAGE, stage);
        conf.set(TestingOptions.FAIL_POINT, point);
        conf.set(TestingOptions.FAIL_AFTER_RECORDS, afterRecords);
        conf.set(TestingOptions.FAIL_ATTEMPTS, attempts);
        return conf;
    }

    @Test
    void isOffUnlessTheStageIsNamed() {
        assertThat(FaultInjector.from(new Configuration(), "image-generate").isEnabled()).isFalse();
        Configuration conf = failing("image-enhance", "before-batch", 1, 1);
        assertThat(FaultInjector.from(conf, "image-generate").isEnabled()).isFalse();
        assertThat(FaultInjector.from(conf, "image-enhance").isEnabled()).isTrue();
    }

    @Test
    void failsBeforeTheBatchThatReachesTheCountOnlyInTheFirstAttemptsAndOnlyOnItsSubtask() {
        FaultInjector faults = FaultInjector.from(failing("text-encode", "before-batch", 5, 2), "text-encode");

        faults.open(0, 0, ModelCallLog.disabled());
        faults.beforeBatch(4);
        assertThatThrownBy(() -> faults.beforeBatch(1)).isInstanceOf(InjectedFailure.class)
                .hasMessageContaining("text-encode subtask 0, attempt 0, after 5 records");
        faults.open(1, 0, ModelCallLog.disabled());
        assertThatNoException().isThrownBy(() -> faults.beforeBatch(10));
        faults.open(0, 1, ModelCallLog.disabled());
        assertThatThrownBy(() -> faults.beforeBatch(5)).isInstanceOf(InjectedFailure.class);
        faults.open(0, 2, ModelCallLog.disabled());
        assertThatNoException().isThrownBy(() -> faults.beforeBatch(100));
    }

    @Test
    void midBatchFailsAtTheFirstWriteOfTheBatchThatReachesTheCountAndLogsIt() throws Exception {
        ModelCallLog log = ModelCallLog.from(withLog(failing("image-generate", "mid-batch", 3, 1)));
        FaultInjector faults = FaultInjector.from(failing("image-generate", "mid-batch", 3, 1), "image-generate");
        log.open("image-generate", 0, 0);
        faults.open(0, 0, log);

        faults.beforeBatch(2);
        faults.afterWrite();
        faults.beforeBatch(2);
        assertThatThrownBy(faults::afterWrite).isInstanceOf(InjectedFailure.class);
        log.close();

        assertThat(ModelCallLog.read(dir)).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo(ModelCallLog.Kind.FAULT);
            assertThat(event.stage()).isEqualTo("image-generate");
            assertThat(event.key()).contains("mid-batch");
        });
    }

    @Test
    void rejectsUnknownStagesAndMidBatchOnPlainOperators() {
        assertThatThrownBy(() -> FaultInjector.from(failing("sink", "before-batch", 1, 1), "sink"))
                .isInstanceOf(IllegalConfigurationException.class).hasMessageContaining("testing.fail.stage");
        assertThatThrownBy(() -> FaultInjector.from(failing("result-rows", "mid-batch", 1, 1), "result-rows"))
                .isInstanceOf(IllegalConfigurationException.class).hasMessageContaining("testing.fail.point");
        assertThatThrownBy(() -> FaultInjector.from(failing("text-encode", "later", 1, 1), "text-encode"))
                .isInstanceOf(IllegalConfigurationException.class).hasMessageContaining("'later'");
        assertThatThrownBy(() -> FaultInjector.from(failing("text-encode", "before-batch", 0, 1), "text-encode"))
                .isInstanceOf(IllegalConfigurationException.class).hasMessageContaining("after-records");
    }

    private Configuration withLog(Configuration conf) {
        conf.set(TestingOptions.MODEL_CALL_LOG, dir.toString());
        return conf;
    }
}

package dev.stageflow.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmarks' harness works: JMH's generated code for one benchmark runs in this JVM (no fork),
 * one iteration of 100 ms, the way scripts/bench-jmh.sh runs them all. The figure is not checked.
 */
class BenchmarkHarnessTest {

    @Test
    void runsTheBatcherBenchmarkOnceInThisJvm() throws RunnerException {
        Options options = new OptionsBuilder()
                .include("dev\\.stageflow\\.stage\\.DynamicBatcherBenchmark\\.submitAndComplete")
                .param("stage", "enhancer")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).hasSize(1);
        RunResult result = results.iterator().next();
        assertThat(result.getParams().getBenchmark()).isEqualTo("dev.stageflow.stage.DynamicBatcherBenchmark.submitAndComplete");
        assertThat(result.getParams().getParam("stage")).isEqualTo("enhancer");
        assertThat(result.getPrimaryResult().getSampleCount()).isEqualTo(1);
        assertThat(result.getPrimaryResult().getScoreUnit()).isEqualTo("us/op");
    }
}

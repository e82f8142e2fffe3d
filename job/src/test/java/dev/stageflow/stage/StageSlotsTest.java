package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.StageflowJob;
import dev.stageflow.config.JobOperator;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StageOptions;
import dev.stageflow.config.StoreOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.resources.CPUResource;
import org.apache.flink.api.common.resources.ExternalResource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.clusterframework.types.ResourceProfile;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The slot options of the model stages reach the job graph, and sizes that Flink would refuse are refused first. */
class StageSlotsTest {

    @TempDir
    Path dir;

    @Test
    void everyOperatorSharesTheDefaultGroupUnlessAStageHasItsOwn() {
        StreamGraph graph = streamGraph(new Configuration());
        assertThat(groupsByUid(graph)).containsKeys(JobOperator.SOURCE_FILES.uid(), JobOperator.TEXT_ENCODE.uid(),
                JobOperator.IMAGE_GENERATE.uid(), JobOperator.IMAGE_ENHANCE.uid(), JobOperator.COMMIT_RESULTS.uid());
        assertThat(groupsByUid(graph).values()).containsOnly("default");
    }

    @Test
    void aStageWithAGroupOfItsOwnRunsInItsSlotsAndTheStagesAfterItDoNot() {
        Configuration conf = new Configuration();
        conf.set(StageOptions.GENERATOR.slotSharingGroup, "gpu");
        conf.set(StageOptions.GENERATOR.slotCpuCores, 1.0);
        conf.set(StageOptions.GENERATOR.slotTaskHeapMemory, MemorySize.parse("512m"));
        conf.set(StageOptions.GENERATOR.slotGpus, 1.0);
        conf.set(StageOptions.ENCODER.slotSharingGroup, "cpu-stages");
        StreamGraph streamGraph = streamGraph(conf);
        JobGraph graph = streamGraph.getJobGraph();

        Map<String, String> groups = groupsByUid(streamGraph);
        assertThat(groups).containsEntry(JobOperator.IMAGE_GENERATE.uid(), "gpu")
                .containsEntry(JobOperator.TEXT_ENCODE.uid(), "cpu-stages")
                .containsEntry(JobOperator.IMAGE_ENHANCE.uid(), "default")
                .containsEntry(JobOperator.RESULT_ROWS.uid(), "default")
                .containsEntry(JobOperator.DEDUPE.uid(), "default");
        ResourceProfile generate = vertex(graph, JobOperator.IMAGE_GENERATE).getSlotSharingGroup().getResourceProfile();
        assertThat(generate.getCpuCores()).isEqualTo(new CPUResource(1.0));
        assertThat(generate.getTaskHeapMemory()).isEqualTo(MemorySize.parse("512m"));
        assertThat(generate.getExtendedResources()).containsEntry("gpu", new ExternalResource("gpu", 1.0));
        assertThat(vertex(graph, JobOperator.TEXT_ENCODE).getSlotSharingGroup().getResourceProfile())
                .isEqualTo(ResourceProfile.UNKNOWN);
    }

    @Test
    void sizesNeedAGroupAndBothCpuCoresAndHeap() {
        Configuration noGroup = new Configuration();
        noGroup.set(StageOptions.GENERATOR.slotGpus, 1.0);
        assertThatThrownBy(() -> StageSlots.from(noGroup, StageOptions.GENERATOR))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Option generator.slot-sharing-group must be set when the stage's slots are sized"
                        + " (generator.slot.*), got nothing");

        Configuration noHeap = new Configuration();
        noHeap.set(StageOptions.ENHANCER.slotSharingGroup, "enhance");
        noHeap.set(StageOptions.ENHANCER.slotCpuCores, 2.0);
        assertThatThrownBy(() -> StageSlots.from(noHeap, StageOptions.ENHANCER))
                .hasMessage("Option enhancer.slot.task-heap-memory must be > 0 when the stage's slots are sized, got null");
    }

    private StreamGraph streamGraph(Configuration options) {
        Configuration conf = new Configuration(options);
        conf.set(SourceOptions.PROMPTS, dir.resolve("prompts").toUri().toString());
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        return StageflowJob.streamGraph(StreamExecutionEnvironment.getExecutionEnvironment(conf), conf);
    }

    /** The group of each of the job's operators, by uid. */
    private static Map<String, String> groupsByUid(StreamGraph graph) {
        return graph.getStreamNodes().stream()
                .filter(node -> node.getTransformationUID() != null)
                .collect(Collectors.toMap(StreamNode::getTransformationUID, StreamNode::getSlotSharingGroup));
    }

    private static JobVertex vertex(JobGraph graph, JobOperator operator) {
        JobVertex vertex = findVertex(graph, operator);
        assertThat(vertex).as(operator.uid()).isNotNull();
        return vertex;
    }

    private static JobVertex findVertex(JobGraph graph, JobOperator operator) {
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getOperatorIDs().stream().anyMatch(id -> operator.uid().equals(id.getUserDefinedOperatorUid()))) {
                return vertex;
            }
        }
        return null;
    }
}

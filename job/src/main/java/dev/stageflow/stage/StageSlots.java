package dev.stageflow.stage;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.StageOptions;
import java.util.Optional;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * The slot-sharing group of a model stage ({@code *.slot-sharing-group}), with the resources of its
 * slots when they are given ({@code *.slot.*}: Flink's fine-grained resource management). Checked at
 * build time: Flink needs both CPU cores and task heap memory once any resource is given.
 */
public final class StageSlots {

    private StageSlots() {}

    /** The stage's group, if it has one of its own. */
    public static Optional<SlotSharingGroup> from(Configuration conf, StageOptions options) {
        Optional<String> name = conf.getOptional(options.slotSharingGroup);
        Optional<Double> cpuCores = conf.getOptional(options.slotCpuCores);
        Optional<MemorySize> heap = conf.getOptional(options.slotTaskHeapMemory);
        double gpus = conf.get(options.slotGpus);
        boolean sized = cpuCores.isPresent() || heap.isPresent() || gpus != 0;
        require(name.isPresent() || !sized, options.slotSharingGroup, "set when the stage's slots are sized ("
                + options.prefix + ".slot.*)", "nothing");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        require(!name.get().isBlank(), options.slotSharingGroup, "a name", "'" + name.get() + "'");
        require(gpus >= 0, options.slotGpus, ">= 0", gpus);
        SlotSharingGroup.Builder group = SlotSharingGroup.newBuilder(name.get());
        if (sized) {
            require(cpuCores.isPresent() && cpuCores.get() > 0, options.slotCpuCores,
                    "> 0 when the stage's slots are sized", cpuCores.orElse(null));
            require(heap.isPresent() && heap.get().getBytes() > 0, options.slotTaskHeapMemory,
                    "> 0 when the stage's slots are sized", heap.orElse(null));
            group.setCpuCores(cpuCores.get()).setTaskHeapMemory(heap.get());
            if (gpus > 0) {
                group.setExternalResource(BatchingStage.GPU_RESOURCE, gpus);
            }
        }
        return Optional.of(group.build());
    }
}

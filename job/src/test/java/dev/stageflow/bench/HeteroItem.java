package dev.stageflow.bench;

import dev.stageflow.model.ArtifactRef;

/**
 * One item of hetero-bench between operators: its ids and, until inference has consumed it, the
 * claim check of its payload in the store. The payload's bytes never travel through Flink.
 */
public class HeteroItem {

    public int task;
    public int item;
    public ArtifactRef payload;

    public HeteroItem() {}

    HeteroItem(int task, int item, ArtifactRef payload) {
        this.task = task;
        this.item = item;
        this.payload = payload;
    }
}

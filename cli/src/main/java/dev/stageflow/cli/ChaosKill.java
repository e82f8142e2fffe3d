package dev.stageflow.cli;

/** What each kill of {@code stageflow chaos} takes: a busy TaskManager, the leading JobManager, or both at once. */
enum ChaosKill {
    TASKMANAGER,
    JOBMANAGER,
    BOTH;

    boolean killsJobManager() {
        return this != TASKMANAGER;
    }

    boolean killsTaskManager() {
        return this != JOBMANAGER;
    }
}

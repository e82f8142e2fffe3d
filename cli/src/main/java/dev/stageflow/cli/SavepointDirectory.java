package dev.stageflow.cli;

/** Where a savepoint goes: the directory given, else the run's own, else the cluster's default (null). */
final class SavepointDirectory {

    private SavepointDirectory() {}

    static String of(String given, JobTarget.Target job) {
        if (given != null) {
            return Locations.asUri(given).toString();
        }
        return job.run().map(RunRecord::savepointDir).orElse(null);
    }
}

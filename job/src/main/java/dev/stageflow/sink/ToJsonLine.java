package dev.stageflow.sink;

import dev.stageflow.model.Json;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * A record as one JSON line. A class rather than {@code Json::write}: two serialized method
 * references to the same method with different input types deserialize to one of them (javac
 * bug JDK-8154236), which sends dead letters into the results mapper.
 */
public final class ToJsonLine<T> implements MapFunction<T, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String map(T record) {
        return Json.write(record);
    }
}

package dev.stageflow.sink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A prompt's metadata hash waiting in operator state for the checkpoint that commits it. Fields
 * are kept as name/value pairs so the state's schema does not follow the result row's.
 */
public class PendingMetadata {

    /** The checkpoint whose completion commits the result; {@link #UNASSIGNED} until it is taken. */
    public long checkpointId;
    public String promptId;
    /** Alternating field names and values. */
    public String[] fields;

    public static final long UNASSIGNED = Long.MAX_VALUE;

    public PendingMetadata() {}

    public PendingMetadata(String promptId, Map<String, String> fields) {
        this.checkpointId = UNASSIGNED;
        this.promptId = promptId;
        this.fields = new String[fields.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            this.fields[i++] = field.getKey();
            this.fields[i++] = field.getValue();
        }
    }

    public Map<String, String> fieldMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            map.put(fields[i], fields[i + 1]);
        }
        return map;
    }
}

package dev.stageflow.tools.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * JSON Patch (RFC 6902) as kustomize applies a patch file of operations: add, remove, replace and
 * test, on a copy of the document. An operation that cannot apply (a missing path, a failed test)
 * throws, naming it, as kustomize fails the build.
 */
final class JsonPatch {

    private static final Set<String> OPERATIONS = Set.of("add", "remove", "replace", "test");

    private JsonPatch() {}

    static JsonNode apply(JsonNode document, JsonNode operations) {
        if (!operations.isArray()) {
            throw new IllegalArgumentException("A JSON patch is a list of operations");
        }
        JsonNode patched = document.deepCopy();
        int index = 0;
        for (JsonNode operation : operations) {
            try {
                patched = applyOne(patched, operation);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Operation " + index + " " + operation + ": " + e.getMessage(), e);
            }
            index++;
        }
        return patched;
    }

    private static JsonNode applyOne(JsonNode document, JsonNode operation) {
        String op = operation.path("op").asText();
        if (!OPERATIONS.contains(op)) {
            throw new IllegalArgumentException("op '" + op + "' is not one of " + OPERATIONS);
        }
        List<String> path = pointer(operation.path("path").asText());
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the whole document cannot be patched here");
        }
        JsonNode parent = resolve(document, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        JsonNode value = operation.get("value");
        if (!op.equals("remove") && value == null) {
            throw new IllegalArgumentException("no value");
        }
        switch (op) {
            case "add" -> add(parent, last, value.deepCopy());
            case "remove" -> remove(parent, last);
            case "replace" -> {
                remove(parent, last);
                add(parent, last, value.deepCopy());
            }
            default -> {
                JsonNode actual = child(parent, last);
                if (!value.equals(actual)) {
                    throw new IllegalArgumentException("test failed: the value is " + actual);
                }
            }
        }
        return document;
    }

    private static void add(JsonNode parent, String key, JsonNode value) {
        if (parent instanceof ObjectNode object) {
            object.set(key, value);
        } else if (parent instanceof ArrayNode array) {
            if (key.equals("-")) {
                array.add(value);
            } else {
                int index = index(array, key, array.size());
                array.insert(index, value);
            }
        } else {
            throw new IllegalArgumentException("the parent of '" + key + "' is not an object or a list");
        }
    }

    private static void remove(JsonNode parent, String key) {
        child(parent, key);
        if (parent instanceof ObjectNode object) {
            object.remove(key);
        } else {
            ((ArrayNode) parent).remove(index((ArrayNode) parent, key, parent.size() - 1));
        }
    }

    private static JsonNode resolve(JsonNode document, List<String> path) {
        JsonNode node = document;
        for (String key : path) {
            node = child(node, key);
        }
        return node;
    }

    private static JsonNode child(JsonNode node, String key) {
        JsonNode child = node instanceof ArrayNode array ? array.get(index(array, key, array.size() - 1)) : node.get(key);
        if (child == null) {
            throw new IllegalArgumentException("no '" + key + "' at this path");
        }
        return child;
    }

    private static int index(ArrayNode array, String key, int max) {
        int index;
        try {
            index = Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' is not a list index");
        }
        if (index < 0 || index > max) {
            throw new IllegalArgumentException("index " + index + " is outside the list of " + array.size());
        }
        return index;
    }

    /** The keys of a JSON pointer ({@code ~1} is '/', {@code ~0} is '~'). */
    static List<String> pointer(String pointer) {
        if (pointer.isEmpty()) {
            return List.of();
        }
        if (!pointer.startsWith("/")) {
            throw new IllegalArgumentException("path '" + pointer + "' does not start with '/'");
        }
        List<String> keys = new ArrayList<>();
        for (String key : pointer.substring(1).split("/", -1)) {
            keys.add(key.replace("~1", "/").replace("~0", "~"));
        }
        return keys;
    }
}

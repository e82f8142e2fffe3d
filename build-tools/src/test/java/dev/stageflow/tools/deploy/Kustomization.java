package dev.stageflow.tools.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the part of kustomize that
 * k8s/ uses: {@code resources} (files, or directories with their own kustomization) and {@code
 * patches} of JSON patch operations aimed at one kind and name. A kustomization using anything
 * else fails here, so that the tests never pass over something they do not render.
 */
final class Kustomization {

    private static final Set<String> KEYS = Set.of("apiVersion", "kind", "resources", "patches");
    private static final Set<String> PATCH_KEYS = Set.of("path", "target");
    private static final Set<String> TARGET_KEYS = Set.of("kind", "name");

    private Kustomization() {}

    static List<JsonNode> render(Path directory) {
        Path file = directory.resolve("kustomization.yaml");
        JsonNode kustomization = Yaml.document(file);
        onlyKeys(kustomization, KEYS, file.toString());
        if (!"Kustomization".equals(kustomization.path("kind").asText())) {
            throw new IllegalArgumentException(file + " is not a Kustomization");
        }
        List<JsonNode> resources = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path path = directory.resolve(resource.asText()).normalize();
            resources.addAll(Files.isDirectory(path) ? render(path) : Yaml.documents(path));
        }
        for (JsonNode patch : kustomization.path("patches")) {
            onlyKeys(patch, PATCH_KEYS, file + " patches");
            JsonNode target = patch.path("target");
            onlyKeys(target, TARGET_KEYS, file + " patch target");
            JsonNode operations = Yaml.document(directory.resolve(patch.path("path").asText()));
            boolean matched = false;
            for (int i = 0; i < resources.size(); i++) {
                JsonNode resource = resources.get(i);
                if (resource.path("kind").asText().equals(target.path("kind").asText())
                        && resource.path("metadata").path("name").asText().equals(target.path("name").asText())) {
                    resources.set(i, JsonPatch.apply(resource, operations));
                    matched = true;
                }
            }
            if (!matched) {
                throw new IllegalArgumentException(file + ": no resource matches the patch target " + target);
            }
        }
        return resources;
    }

    private static void onlyKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(where + " uses '" + key + "', which these tests do not render");
            }
        }
    }
}

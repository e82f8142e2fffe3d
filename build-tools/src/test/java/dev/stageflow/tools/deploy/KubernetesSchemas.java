package dev.stageflow.tools.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Validates Kubernetes manifests with a JSON Schema validator against the schemas the API server
 * would apply: the operator's FlinkDeployment CRD, the Prometheus Operator's PodMonitor CRD, and
 * Kubernetes' own OpenAPI definitions for built-in kinds (test resources {@code k8s-schemas/}; see
 * the README there for their sources).
 *
 * <p>OpenAPI's Kubernetes dialect becomes JSON Schema draft 4 as the API server reads it: an object
 * with {@code properties} and neither {@code additionalProperties} nor {@code
 * x-kubernetes-preserve-unknown-fields} refuses unknown fields (strict field validation, kubectl's
 * default), {@code x-kubernetes-int-or-string} and {@code IntOrString} take an integer or a string,
 * a {@code Quantity} a string or a number, and a custom resource's root takes {@code apiVersion},
 * {@code kind} and {@code metadata} with a name.
 */
final class KubernetesSchemas {

    private static final String RESOURCES = "/k8s-schemas/";
    private static final String DEFINITIONS = "#/definitions/";
    private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private static final Map<String, String> BUILT_IN = Map.of(
            "apps/v1/StatefulSet", "io.k8s.api.apps.v1.StatefulSet",
            "apps/v1/Deployment", "io.k8s.api.apps.v1.Deployment",
            "v1/Service", "io.k8s.api.core.v1.Service",
            "v1/Secret", "io.k8s.api.core.v1.Secret",
            "v1/ConfigMap", "io.k8s.api.core.v1.ConfigMap",
            "v1/ServiceAccount", "io.k8s.api.core.v1.ServiceAccount");
    private static final List<String> CRDS = List.of(
            "flinkdeployments.flink.apache.org-v1.yml", "monitoring.coreos.com_podmonitors.yaml");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectNode definitions;
    private final Map<String, Schema> schemas = new HashMap<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    KubernetesSchemas() {
        try (InputStream in = KubernetesSchemas.class.getResourceAsStream(RESOURCES + "kubernetes-1.36-definitions.json")) {
            definitions = JSON.objectNode();
            new ObjectMapper().readTree(in).get("definitions").properties()
                    .forEach(definition -> definitions.set(definition.getKey(), strict(definition.getValue())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        definitions.set("io.k8s.apimachinery.pkg.util.intstr.IntOrString", anyOf("integer", "string"));
        definitions.set("io.k8s.apimachinery.pkg.api.resource.Quantity", anyOf("string", "number"));
        BUILT_IN.forEach((kind, definition) -> schemas.put(kind, schema(root(ref(definition), kind))));
        for (String crd : CRDS) {
            addCustomResource(Yaml.documents(read(RESOURCES + crd)).get(0));
        }
    }

    /** What the API server would refuse in {@code manifest}, one message each; empty when it is valid. */
    List<String> problems(JsonNode manifest) {
        String kind = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
        Schema schema = schemas.get(kind);
        if (schema == null) {
            return List.of("No schema for " + kind + " (known: " + new TreeSet<>(schemas.keySet()) + ")");
        }
        return schema.validate(manifest).stream().map(Error::toString).toList();
    }

    private void addCustomResource(JsonNode crd) {
        String group = crd.path("spec").path("group").asText();
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (!version.path("served").asBoolean(true)) {
                continue;
            }
            String apiVersion = group + "/" + version.path("name").asText();
            ObjectNode schema = (ObjectNode) strict(version.path("schema").path("openAPIV3Schema"));
            ObjectNode properties = schema.withObject("properties");
            properties.set("apiVersion", JSON.objectNode());
            properties.set("kind", JSON.objectNode());
            properties.set("metadata", JSON.objectNode());
            if (!schema.has("additionalProperties")) {
                schema.put("additionalProperties", false);
            }
            schemas.put(apiVersion + "/" + kind, schema(root(schema, apiVersion + "/" + kind)));
        }
    }

    /** {@code body} with the root's rules: apiVersion and kind fixed, metadata an ObjectMeta with a name. */
    private ObjectNode root(ObjectNode body, String apiVersionAndKind) {
        int slash = apiVersionAndKind.lastIndexOf('/');
        ObjectNode identity = JSON.objectNode();
        identity.putArray("required").add("apiVersion").add("kind").add("metadata");
        ObjectNode properties = identity.putObject("properties");
        properties.putObject("apiVersion").putArray("enum").add(apiVersionAndKind.substring(0, slash));
        properties.putObject("kind").putArray("enum").add(apiVersionAndKind.substring(slash + 1));
        ArrayNode metadata = properties.putObject("metadata").putArray("allOf");
        metadata.add(ref(OBJECT_META));
        metadata.addObject().putArray("required").add("name");
        ObjectNode root = JSON.objectNode();
        root.putArray("allOf").add(body).add(identity);
        root.set("definitions", definitions);
        return root;
    }

    private Schema schema(ObjectNode root) {
        return registry.getSchema(root);
    }

    /** A copy of an OpenAPI schema in JSON Schema draft 4 terms (see the class comment). */
    static JsonNode strict(JsonNode schema) {
        if (schema.isArray()) {
            ArrayNode copy = JSON.arrayNode();
            schema.forEach(item -> copy.add(strict(item)));
            return copy;
        }
        if (!schema.isObject()) {
            return schema;
        }
        ObjectNode copy = JSON.objectNode();
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals("properties")) {
                ObjectNode children = copy.putObject(key);
                value.properties().forEach(child -> children.set(child.getKey(), strict(child.getValue())));
            } else if (key.equals("items") || key.equals("additionalProperties") || key.equals("not")
                    || key.equals("anyOf") || key.equals("allOf") || key.equals("oneOf")) {
                copy.set(key, strict(value));
            } else {
                copy.set(key, value.deepCopy());
            }
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean() && !schema.has("anyOf")) {
            copy.remove("type");
            copy.setAll(anyOf("integer", "string"));
        }
        if (schema.has("properties") && !schema.has("additionalProperties")
                && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            copy.put("additionalProperties", false);
        }
        return copy;
    }

    private static ObjectNode anyOf(String... types) {
        ObjectNode schema = JSON.objectNode();
        ArrayNode anyOf = schema.putArray("anyOf");
        for (String type : types) {
            anyOf.addObject().put("type", type);
        }
        return schema;
    }

    private static ObjectNode ref(String definition) {
        return JSON.objectNode().put("$ref", DEFINITIONS + definition);
    }

    private static String read(String resource) {
        try (InputStream in = KubernetesSchemas.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

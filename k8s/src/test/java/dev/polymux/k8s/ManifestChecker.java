package dev.polymux.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * Renders kustomizations and checks each object offline against a schema, refusing unknown kinds, apiVersions
 * and fields.
 * <ul>
 * <li>Kinds with a Java model (fabric8's Kubernetes, Gateway API and Prometheus Operator models, Strimzi's
 * {@code io.strimzi:api}): deserialised with a Jackson mapper whose {@code @JsonAnySetter}s are switched off, so a
 * field the model does not have is an unknown property (reported with its path) instead of landing in the
 * model's {@code additionalProperties} map. Ignored properties fail too.</li>
 * <li>KEDA and CloudNativePG kinds: the vendored CRD's {@code openAPIV3Schema}, turned into a JSON Schema in which
 * every object schema with {@code properties} (and without {@code x-kubernetes-preserve-unknown-fields}) refuses
 * additional properties; {@code metadata} is checked against fabric8's ObjectMeta.</li>
 * </ul>
 */
final class ManifestChecker {

    /** One rendered object and the file it came from (relative to {@code k8s/} where known). */
    record Source(String file, JsonNode object) {
    }

    record Rendering(List<Source> objects) {
    }

    record Problem(String file, String object, String path, String message) {
        @Override
        public String toString() {
            return file + ": " + object + ": " + (path.isEmpty() ? "" : path + ": ") + message;
        }
    }

    private static final String ORIGIN = "config.kubernetes.io/origin";

    /** The KEDA and CloudNativePG CRDs in src/test/resources/crds (see the README there). */
    private static final List<String> CRDS = List.of("keda.sh_scaledobjects.yaml", "keda.sh_triggerauthentications.yaml",
            "postgresql.cnpg.io_clusters.yaml", "postgresql.cnpg.io_databases.yaml");

    /** Strimzi's custom resources (io.strimzi:api has no service file listing them). */
    private static final List<String> STRIMZI = List.of("io.strimzi.api.kafka.model.kafka.Kafka",
            "io.strimzi.api.kafka.model.nodepool.KafkaNodePool", "io.strimzi.api.kafka.model.topic.KafkaTopic",
            "io.strimzi.api.kafka.model.user.KafkaUser", "io.strimzi.api.kafka.model.connect.KafkaConnect",
            "io.strimzi.api.kafka.model.connector.KafkaConnector",
            "io.strimzi.api.kafka.model.mirrormaker2.KafkaMirrorMaker2",
            "io.strimzi.api.kafka.model.bridge.KafkaBridge", "io.strimzi.api.kafka.model.rebalance.KafkaRebalance");

    private final YAMLMapper yaml = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Models without their any-setters: an unknown field is an unknown property, not an additionalProperties entry. */
    private final ObjectMapper strict = JsonMapper.builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES,
                    DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // The API server refuses a number where a string belongs (env value: 8080) and a string where a number
            // belongs (replicas: "3"); Jackson would coerce both.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /** "apiVersion kind" -> Java model. */
    private final Map<String, Class<?>> models = new HashMap<>();
    /** "apiVersion kind" -> JSON Schema made from a vendored CRD. */
    private final Map<String, JsonSchema> schemas = new HashMap<>();

    ManifestChecker() {
        ClassLoader loader = ManifestChecker.class.getClassLoader();
        try {
            Enumeration<URL> lists = loader.getResources("META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource");
            for (URL list : Collections.list(lists)) {
                try (InputStream in = list.openStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String name = line.replaceAll("#.*", "").trim();
                        if (!name.isEmpty()) {
                            register(Class.forName(name, false, loader));
                        }
                    }
                }
            }
            for (String name : STRIMZI) {
                register(Class.forName(name, false, loader));
            }
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).pathType(PathType.LEGACY).build();
            for (String crd : CRDS) {
                try (InputStream in = loader.getResourceAsStream("crds/" + crd)) {
                    if (in == null) {
                        throw new IllegalStateException("crds/" + crd + " is not on the test classpath");
                    }
                    JsonNode definition = yaml.readTree(in);
                    String group = definition.path("spec").path("group").asText();
                    String kind = definition.path("spec").path("names").path("kind").asText();
                    for (JsonNode version : definition.path("spec").path("versions")) {
                        if (!version.path("served").asBoolean()) {
                            continue;
                        }
                        String apiVersion = group + "/" + version.path("name").asText();
                        ObjectNode schema = (ObjectNode) convert(version.path("schema").path("openAPIV3Schema"), true);
                        ObjectNode properties = (ObjectNode) schema.get("properties");
                        properties.putObject("apiVersion").put("const", apiVersion);
                        properties.putObject("kind").put("const", kind);
                        properties.putObject("metadata").put("type", "object"); // checked against ObjectMeta
                        schema.putArray("required").add("apiVersion").add("kind").add("metadata");
                        schemas.put(apiVersion + " " + kind, factory.getSchema(schema, config));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a model class is missing from the test classpath", e);
        }
    }

    private void register(Class<?> type) {
        if (!HasMetadata.class.isAssignableFrom(type) || KubernetesResourceList.class.isAssignableFrom(type)
                || type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
            return;
        }
        @SuppressWarnings("unchecked")
        Class<? extends HasMetadata> resource = (Class<? extends HasMetadata>) type;
        String apiVersion = HasMetadata.getApiVersion(resource);
        String kind = HasMetadata.getKind(resource);
        if (apiVersion == null || kind == null || removedFromKubernetes(apiVersion)) {
            return;
        }
        models.putIfAbsent(apiVersion + " " + kind, type);
    }

    /**
     * Kubernetes' own groups keep only their GA versions here: the models still carry v1beta1 PDBs, v2beta2 HPAs
     * and the like, which current clusters no longer serve.
     */
    static boolean removedFromKubernetes(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        boolean builtIn = !group.contains(".") || (group.endsWith(".k8s.io") && !group.startsWith("gateway.networking."));
        return builtIn && (version.contains("alpha") || version.contains("beta"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rendering

    /** {@code kubectl kustomize dir}; each object's file comes from a second build with origin annotations. */
    Rendering render(Path k8sDir, Path dir) throws IOException, InterruptedException {
        String rendered = kubectl(dir);
        String where = k8sDir.relativize(dir).toString();
        Map<String, String> origins = origins(k8sDir, dir);
        List<Source> objects = new ArrayList<>();
        for (Source source : parse(where + "/kustomization.yaml", rendered).objects()) {
            String file = origins.getOrDefault(key(source.object()), where + "/kustomization.yaml (generated)");
            objects.add(new Source(file, source.object()));
        }
        return new Rendering(objects);
    }

    private Map<String, String> origins(Path k8sDir, Path dir) throws IOException, InterruptedException {
        Path wrapper = k8sDir.resolve("target/kustomize-origins").resolve(k8sDir.relativize(dir).toString().replace('/', '_'));
        Files.createDirectories(wrapper);
        Files.writeString(wrapper.resolve("kustomization.yaml"), "resources:\n  - " + wrapper.relativize(dir)
                + "\nbuildMetadata: [originAnnotations]\n");
        Map<String, String> origins = new HashMap<>();
        for (Source source : parse("", kubectl(wrapper)).objects()) {
            String origin = source.object().path("metadata").path("annotations").path(ORIGIN).asText(null);
            if (origin == null) {
                continue;
            }
            JsonNode parsed = yaml.readTree(origin);
            String path = parsed.path("path").asText(parsed.path("configuredIn").asText(null));
            if (path != null) {
                Path file = wrapper.resolve(path).normalize();
                origins.put(key(source.object()), (file.startsWith(k8sDir) ? k8sDir.relativize(file) : file)
                        + (parsed.has("path") ? "" : " (generated)"));
            }
        }
        return origins;
    }

    private static String key(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return object.path("apiVersion").asText() + " " + object.path("kind").asText() + " "
                + metadata.path("namespace").asText() + "/" + metadata.path("name").asText();
    }

    private static String kubectl(Path dir) throws IOException, InterruptedException {
        String kubectl = findKubectl();
        Path errors = Files.createTempFile("kubectl-kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectError(errors.toFile()).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "): "
                        + Files.readString(errors).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static String findKubectl() {
        String given = System.getenv("KUBECTL");
        if (given != null && !given.isBlank()) {
            return given;
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("kubectl is not on the PATH: install kubectl (https://kubernetes.io/docs/tasks/tools/;"
                + " its built-in kustomize renders k8s/), or set KUBECTL to its path, to check the Kubernetes manifests.");
    }

    /** The documents of a multi-document YAML stream; empty documents are skipped. */
    Rendering parse(String file, String text) {
        List<Source> objects = new ArrayList<>();
        try (JsonParser parser = yaml.getFactory().createParser(text)) {
            Iterator<JsonNode> documents = yaml.readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    objects.add(new Source(file, document));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse YAML of " + file, e);
        }
        return new Rendering(objects);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checking

    List<Problem> check(Rendering rendering) {
        List<Problem> problems = new ArrayList<>();
        for (Source source : rendering.objects()) {
            problems.addAll(check(source));
        }
        return problems;
    }

    List<Problem> check(Source source) {
        JsonNode object = source.object();
        String apiVersion = object.path("apiVersion").asText("");
        String kind = object.path("kind").asText("");
        JsonNode metadata = object.path("metadata");
        String name = kind + " " + (metadata.has("namespace") ? metadata.path("namespace").asText() + "/" : "")
                + metadata.path("name").asText("<no name>");
        List<Problem> problems = new ArrayList<>();
        if (!object.isObject() || apiVersion.isEmpty() || kind.isEmpty()) {
            problems.add(new Problem(source.file(), name, "", "not a Kubernetes object (apiVersion and kind are required)"));
            return problems;
        }
        String key = apiVersion + " " + kind;
        Class<?> model = models.get(key);
        JsonSchema schema = schemas.get(key);
        if (model != null) {
            for (String[] p : deserialise(model, object)) {
                problems.add(new Problem(source.file(), name, p[0], p[1]));
            }
        } else if (schema != null) {
            for (ValidationMessage message : schema.validate(object)) {
                String location = message.getInstanceLocation().toString();
                String text = message.getMessage().startsWith(location + ": ")
                        ? message.getMessage().substring(location.length() + 2) : message.getMessage();
                String at = location.replaceFirst("^\\$\\.?", "");
                if ("additionalProperties".equals(message.getType()) && message.getProperty() != null) {
                    at = at.isEmpty() ? message.getProperty() : at + "." + message.getProperty();
                }
                problems.add(new Problem(source.file(), name, at, text));
            }
            if (metadata.isObject()) {
                for (String[] p : deserialise(ObjectMeta.class, metadata)) {
                    problems.add(new Problem(source.file(), name, "metadata" + (p[0].isEmpty() ? "" : "." + p[0]), p[1]));
                }
            }
        } else {
            Set<String> kinds = new TreeSet<>();
            models.keySet().stream().filter(k -> k.endsWith(" " + kind) || k.startsWith(apiVersion + " ")).forEach(kinds::add);
            schemas.keySet().stream().filter(k -> k.endsWith(" " + kind) || k.startsWith(apiVersion + " ")).forEach(kinds::add);
            problems.add(new Problem(source.file(), name, "", "unknown kind " + kind + " in apiVersion " + apiVersion
                    + " (no model or CRD schema for it" + (kinds.isEmpty() ? "" : "; near: " + String.join(", ", kinds)) + ")"));
        }
        problems.sort((a, b) -> a.path().compareTo(b.path()));
        return problems;
    }

    /** Deserialises into the model; each unknown property is reported with its path and skipped. */
    private List<String[]> deserialise(Class<?> model, JsonNode node) {
        List<String[]> found = new ArrayList<>();
        DeserializationProblemHandler handler = new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                    Object beanOrClass, String propertyName) throws IOException {
                JsonStreamContext context = p.getParsingContext();
                if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
                    context = context.getParent();
                }
                Class<?> owner = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
                found.add(new String[] { path(context), "unknown field \"" + propertyName + "\" (not in "
                        + owner.getSimpleName() + ")" });
                p.skipChildren();
                return true;
            }
        };
        try {
            strict.readerFor(model).withHandler(handler).readValue(strict.writeValueAsString(node));
        } catch (JsonMappingException e) {
            StringBuilder at = new StringBuilder();
            for (JsonMappingException.Reference reference : e.getPath()) {
                if (reference.getFieldName() != null) {
                    at.append(at.isEmpty() ? "" : ".").append(reference.getFieldName());
                } else if (reference.getIndex() >= 0) {
                    at.append('[').append(reference.getIndex()).append(']');
                }
            }
            found.add(new String[] { at.toString(), e.getOriginalMessage() });
        } catch (IOException e) {
            found.add(new String[] { "", e.getMessage() });
        }
        return found;
    }

    private static String path(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = path(context.getParent());
        if (context.inArray()) {
            return parent + "[" + Math.max(context.getCurrentIndex(), 0) + "]";
        }
        String name = context.getCurrentName();
        return parent.isEmpty() ? name : parent + "." + name;
    }

    // ---------------------------------------------------------------------------------------------------------
    // CRD openAPIV3Schema -> JSON Schema (draft 7)

    /**
     * Copies the validation keywords; object schemas with {@code properties} and without
     * {@code x-kubernetes-preserve-unknown-fields} get {@code additionalProperties: false} (the API server would
     * prune the unknown field silently; we refuse it). Branches of allOf/anyOf/oneOf/not only add value checks in a
     * structural schema, so they are left open.
     */
    static JsonNode convert(JsonNode source, boolean structural) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            switch (keyword) {
                case "properties" -> {
                    ObjectNode properties = out.putObject("properties");
                    Map<String, JsonNode> sorted = new TreeMap<>();
                    value.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
                    sorted.forEach((name, schema) -> properties.set(name, convert(schema, true)));
                }
                case "items" -> out.set("items", value.isArray() ? convertAll(value, true) : convert(value, true));
                case "additionalProperties" -> out.set(keyword, value.isBoolean() ? value : convert(value, true));
                case "allOf", "anyOf", "oneOf" -> out.set(keyword, convertAll(value, false));
                case "not" -> out.set(keyword, convert(value, false));
                case "type", "enum", "required", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "multipleOf",
                        "uniqueItems" -> out.set(keyword, value);
                default -> {
                    // description, format (Kubernetes' own formats), default, example, nullable, x-kubernetes-*: not
                    // JSON Schema validation keywords; handled below where they change what is valid.
                }
            }
        }
        if (source.path("x-kubernetes-int-or-string").asBoolean() && !out.has("type") && !out.has("anyOf")) {
            out.putArray("type").add("integer").add("string");
        }
        if (source.path("x-kubernetes-embedded-resource").asBoolean() && out.has("properties")) {
            ObjectNode properties = (ObjectNode) out.get("properties");
            for (String implicit : List.of("apiVersion", "kind")) {
                if (!properties.has(implicit)) {
                    properties.putObject(implicit).put("type", "string");
                }
            }
            if (!properties.has("metadata")) {
                properties.putObject("metadata").put("type", "object");
            }
        }
        if (source.path("nullable").asBoolean()) {
            JsonNode type = out.get("type");
            if (type != null && type.isTextual()) {
                out.putArray("type").add(type.asText()).add("null");
            } else if (type instanceof ArrayNode types) {
                types.add("null");
            }
            if (out.get("enum") instanceof ArrayNode values) {
                values.addNull();
            }
        }
        if (structural && out.has("properties") && !out.has("additionalProperties")
                && !source.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            out.put("additionalProperties", false);
        }
        return out;
    }

    private static ArrayNode convertAll(JsonNode schemas, boolean structural) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        schemas.forEach(schema -> out.add(convert(schema, structural)));
        return out;
    }
}

package dev.polymux.connector.schema;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.resource.InputStreamSource;
import com.networknt.schema.resource.SchemaLoader;

/**
 * The one way Polymux compiles a JSON Schema that a manifest brings (a tool's {@code input}, a setup step's
 * {@code fields}), at review in the registry and at dispatch alike:
 * <ul>
 * <li>nothing is loaded from the network, the file system or the class path: only references inside the schema itself
 * ({@code #/$defs/...}) resolve. networknt's default loader would fetch {@code http:}, {@code file:} and {@code jar:}
 * references from the dispatcher (SSRF, and a thread blocked on someone else's server);</li>
 * <li>every regular expression runs on RE2/J ({@link Re2jRegularExpressions}), so none can stall a thread.</li>
 * </ul>
 * {@link #review} says, by JSON pointer, what a schema brings that this refuses, without compiling anything.
 */
public final class ToolInputSchemas {

    /** A schema Polymux will not run; the message names the rule and the pointer, never argument values. */
    public static final class UnsafeSchemaException extends IllegalArgumentException {
        public UnsafeSchemaException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One thing a schema brings that Polymux refuses, at a pointer relative to the schema's root. */
    public record Finding(String pointer, String message) {
    }

    /** The meta-schemas networknt bundles (mapped from json-schema.org); reading them touches nothing outside the jar. */
    private static final String BUNDLED_META_SCHEMAS = "classpath:draft/";
    private static final Set<String> STANDARD_DIALECTS = Set.of(
            "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2019-09/schema",
            "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema", "http://json-schema.org/draft-04/schema");
    private static final Set<String> REFERENCE_KEYWORDS = Set.of("$ref", "$dynamicRef", "$recursiveRef");
    /** Keywords whose value is one schema, an array of schemas, or an object of schemas by name. */
    private static final Set<String> SCHEMA_KEYWORDS = Set.of("items", "additionalItems", "additionalProperties", "unevaluatedItems",
            "unevaluatedProperties", "contains", "propertyNames", "not", "if", "then", "else", "contentSchema");
    private static final Set<String> SCHEMA_ARRAY_KEYWORDS = Set.of("allOf", "anyOf", "oneOf", "prefixItems", "items");
    private static final Set<String> SCHEMA_MAP_KEYWORDS = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas", "dependencies");

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaLoaders(loaders -> loaders.add(new LocalOnly())));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .locale(Locale.ENGLISH)
            // "format" is asserted, as dispatch's argument check always did ("uri", "email", "date-time"...).
            .formatAssertionsEnabled(true)
            .regularExpressionFactory(Re2jRegularExpressions.INSTANCE)
            .build();

    private ToolInputSchemas() {
    }

    /**
     * Compiles {@code schema} completely now (references and patterns included, so nothing is resolved later during a
     * call). Throws {@link UnsafeSchemaException} for a reference outside the schema or a pattern
     * {@link ManifestPatterns} refuses: a manifest that passed review never does.
     */
    public static JsonSchema compile(JsonNode schema) {
        List<Finding> findings = review(schema);
        if (!findings.isEmpty()) {
            throw new UnsafeSchemaException("The tool's input schema cannot be used: " + findings.get(0).pointer() + " "
                    + findings.get(0).message(), null);
        }
        try {
            JsonSchema compiled = FACTORY.getSchema(schema, CONFIG);
            compiled.initializeValidators();
            return compiled;
        } catch (UnsafeSchemaException e) {
            throw e;
        } catch (ManifestPatterns.UnsafePatternException e) {
            throw new UnsafeSchemaException("The tool's input schema cannot be used: a pattern " + e.getMessage(), e);
        } catch (JsonSchemaException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ManifestPatterns.UnsafePatternException unsafe) {
                throw new UnsafeSchemaException("The tool's input schema cannot be used: a pattern " + unsafe.getMessage(), e);
            }
            throw new UnsafeSchemaException("The tool's input schema cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * What {@code schema} brings that {@link #compile} refuses: references that leave the schema, a {@code $schema}
     * other than a standard dialect, patterns (of {@code pattern} and {@code patternProperties}) that are invalid,
     * too long or not RE2. Pointers are relative to the schema ({@code /properties/x/pattern}).
     */
    public static List<Finding> review(JsonNode schema) {
        List<Finding> findings = new ArrayList<>();
        walk(schema, "", findings);
        return findings;
    }

    private static void walk(JsonNode schema, String pointer, List<Finding> findings) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = schema.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            String at = pointer + "/" + escape(keyword);
            if (REFERENCE_KEYWORDS.contains(keyword) && value.isTextual() && !value.asText().startsWith("#")) {
                findings.add(new Finding(at, "refers outside the manifest; only references inside it (#/$defs/...) resolve, nothing is "
                        + "loaded from the network or from files"));
            } else if ("$schema".equals(keyword) && value.isTextual() && !STANDARD_DIALECTS.contains(stripFragment(value.asText()))) {
                findings.add(new Finding(at, "is not a standard JSON Schema dialect; custom meta-schemas are not loaded"));
            } else if ("pattern".equals(keyword) && value.isTextual()) {
                ManifestPatterns.problem(value.asText()).ifPresent(problem -> findings.add(new Finding(at, problem)));
            }
            if ("patternProperties".equals(keyword) && value.isObject()) {
                value.fieldNames().forEachRemaining(regex -> ManifestPatterns.problem(regex)
                        .ifPresent(problem -> findings.add(new Finding(at + "/" + escape(regex), "(a property name pattern) " + problem))));
            }
            if (SCHEMA_KEYWORDS.contains(keyword)) {
                walk(value, at, findings);
            }
            if (SCHEMA_ARRAY_KEYWORDS.contains(keyword) && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    walk(value.get(i), at + "/" + i, findings);
                }
            }
            if (SCHEMA_MAP_KEYWORDS.contains(keyword) && value.isObject()) {
                value.fields().forEachRemaining(entry -> walk(entry.getValue(), at + "/" + escape(entry.getKey()), findings));
            }
        }
    }

    private static String stripFragment(String iri) {
        int hash = iri.indexOf('#');
        return hash < 0 ? iri : iri.substring(0, hash);
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /**
     * Placed before networknt's own loaders (class path, then URL): answers every address itself, so those never run.
     * Only the bundled meta-schemas pass through to the class-path loader.
     */
    private static final class LocalOnly implements SchemaLoader {
        @Override
        public InputStreamSource getSchema(AbsoluteIri iri) {
            String address = iri.toString();
            if (address.startsWith(BUNDLED_META_SCHEMAS)) {
                return null;
            }
            throw new UnsafeSchemaException("The tool's input schema refers to " + describe(address) + "; only references inside the "
                    + "manifest (#/$defs/...) resolve, nothing is loaded from the network or from files.", null);
        }

        /** The scheme and host of a reference, not its path or query (which may carry anything). */
        private static String describe(String address) {
            String scheme = AbsoluteIri.getScheme(address);
            if (scheme == null || scheme.isEmpty()) {
                return "a document outside it";
            }
            try {
                String host = java.net.URI.create(address).getHost();
                return "a " + scheme + " document" + (host == null ? "" : " on " + host);
            } catch (IllegalArgumentException e) {
                return "a " + scheme + " document";
            }
        }
    }
}
